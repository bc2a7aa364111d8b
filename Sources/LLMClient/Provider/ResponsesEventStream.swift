import Foundation
import NIOCore

/// The events of a streamed response, decoded from the upstream's server-sent events.
///
/// Ends after `response.completed`, `response.incomplete` or `response.failed` (reading the body
/// to its end), or when the upstream closes. Data that is not an event surfaces as `ProviderError`.
public struct ResponsesEventStream: AsyncSequence, Sendable {
    public typealias Element = ResponsesStreamEvent

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

        init(events: ServerSentEventStream.AsyncIterator) {
            self.events = events
        }

        public mutating func next() async throws -> ResponsesStreamEvent? {
            while !finished, let event = try await events.next() {
                if event.dataBytes.readableBytes == 0 || event.dataIs("[DONE]") { continue }
                guard let members = JSONValue(parsing: event.data) else {
                    throw ProviderError.invalidResponse("stream event is not a response event")
                }
                let decoded = ResponsesStreamEvent(members: members)
                if ["response.completed", "response.incomplete", "response.failed"].contains(decoded.type) {
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
