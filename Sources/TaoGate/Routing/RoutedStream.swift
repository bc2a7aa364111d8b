import LLMClient
import NIOCore

/// A streamed answer: the provider's events as it sent them (native), or neutral events with
/// the neutral request they answer (translated).
enum RoutedStream: Sendable {
    case native(ServerSentEventStream)
    case translated(LLMEventStream, request: LLMRequest)
}
