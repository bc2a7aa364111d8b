import Foundation
import Logging
import NIOCore

/// The events of a streamed Anthropic message, decoded from the upstream's server-sent events.
///
/// Ends after `message_stop` (reading the body to its end) or when the upstream closes. An
/// `error` event, or data that is not an event, surfaces as `ProviderError`.
public struct MessagesEventStream: AsyncSequence, Sendable {
    public typealias Element = MessagesStreamEvent

    private let events: ServerSentEventStream

    public init(events: ServerSentEventStream) {
        self.events = events
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(events: events.makeAsyncIterator())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        private var events: ServerSentEventStream.AsyncIterator
        private var finished = false
        private let decoder = JSONDecoder()

        init(events: ServerSentEventStream.AsyncIterator) {
            self.events = events
        }

        /// Whether the next event is already decoded, so `next()` will not wait for the network.
        public var hasBufferedEvent: Bool { events.hasBufferedEvent }

        public mutating func next() async throws -> MessagesStreamEvent? {
            while !finished, let event = try await events.next() {
                if event.dataBytes.readableBytes == 0 { continue }
                try ProviderError.throwIfErrorEvent(event)
                let decoded: MessagesStreamEvent
                do {
                    decoded = try decoder.decode(MessagesStreamEvent.self, from: Data(event.dataBytes.readableBytesView))
                } catch {
                    throw ProviderError.invalidResponse("stream event is not a message event")
                }
                if case .messageStop = decoded {
                    await events.drain()
                    finished = true
                }
                return decoded
            }
            finished = true
            return nil
        }
    }
}
