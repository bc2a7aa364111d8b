import LLMClient
import NIOCore

/// A whole answer: the provider's bytes as it sent them (native), or in neutral form.
enum RoutedAnswer: Sendable {
    case native(ByteBuffer)
    case translated(LLMResponse)
}
