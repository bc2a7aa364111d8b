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

    public init(configuration: Configuration, transport: UpstreamTransport? = nil, logger: Logger = Logger(label: "LLMClient")) {
        var configuration = configuration
        if !configuration.headers.contains(where: { $0.name.lowercased() == "anthropic-version" }) {
            configuration.headers.append((name: "anthropic-version", value: Self.apiVersion))
        }
        self.client = ProviderClient(configuration: configuration, transport: transport, logger: logger)
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
