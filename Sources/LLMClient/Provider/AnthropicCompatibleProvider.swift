import Foundation
import Logging
import NIOCore

/// A client of Anthropic's Messages API, or of any provider that serves it (Taotoken serves it
/// at `https://taotoken.net/api/v1/messages`): whole messages, streamed ones, and token counts.
///
/// Sends `anthropic-version` on every request. Anthropic's own API wants the key as `x-api-key`
/// (the default here); Taotoken takes either form.
public final class AnthropicCompatibleProvider: Sendable {
    public typealias Configuration = ProviderClient.Configuration

    /// The `anthropic-version` this client speaks.
    public static let apiVersion = "2023-06-01"

    public let client: ProviderClient

    public init(configuration: Configuration, clients: UpstreamHTTPClients? = nil, logger: Logger = Logger(label: "LLMClient")) {
        var configuration = configuration
        if !configuration.headers.contains(where: { $0.name.lowercased() == "anthropic-version" }) {
            configuration.headers.append((name: "anthropic-version", value: Self.apiVersion))
        }
        self.client = ProviderClient(configuration: configuration, clients: clients, logger: logger)
    }

    /// Closes the connection pools, if this provider made them.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// One whole message.
    public func create(_ request: MessagesRequest) async throws -> MessagesResponse {
        var request = request
        request.stream = nil
        let bytes = try await client.post("/messages", body: Self.encode(request))
        do {
            return try JSONDecoder().decode(MessagesResponse.self, from: Data(bytes.readableBytesView))
        } catch {
            throw ProviderError.invalidResponse("the upstream's answer is not a message")
        }
    }

    /// A streamed message, once the upstream has accepted the request.
    public func stream(_ request: MessagesRequest) async throws -> MessagesEventStream {
        var request = request
        request.stream = true
        return MessagesEventStream(events: try await client.stream("/messages", body: Self.encode(request)))
    }

    /// How many input tokens the request would use (`POST /messages/count_tokens`).
    public func countTokens(_ request: MessagesRequest) async throws -> Int {
        var request = request
        request.stream = nil
        request.maxTokens = nil
        let bytes = try await client.post("/messages/count_tokens", body: Self.encode(request))
        do {
            return try JSONDecoder().decode(MessagesTokenCount.self, from: Data(bytes.readableBytesView)).inputTokens
        } catch {
            throw ProviderError.invalidResponse("the upstream's answer is not a token count")
        }
    }

    private static func encode(_ request: MessagesRequest) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONEncoder().encode(request))
    }
}

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
                if event.data.isEmpty { continue }
                try ProviderError.throwIfErrorEvent(event)
                let decoded: MessagesStreamEvent
                do {
                    decoded = try decoder.decode(MessagesStreamEvent.self, from: Data(event.data.utf8))
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
