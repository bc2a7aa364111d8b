import Foundation
import Logging
import NIOCore

/// A `ChatProvider` for any OpenAI-compatible HTTP API (Taotoken, OpenAI, and their kin).
///
/// Besides the typed calls it passes request bodies through untouched (`completeRaw`,
/// `streamRaw`), for gateways that must not rewrite what their clients send.
/// Call `shutdown()` when done; it closes the connection pools only if the provider made them.
public final class OpenAICompatibleProvider: ChatProvider {
    public typealias Configuration = ProviderClient.Configuration

    public let client: ProviderClient
    public var configuration: Configuration { client.configuration }

    /// - Parameter transport: connection pools to share with other providers; by default the
    ///   provider makes its own from `configuration`.
    public init(configuration: Configuration, transport: UpstreamTransport? = nil, logger: Logger = Logger(label: "LLMClient")) {
        self.client = ProviderClient(configuration: configuration, transport: transport, logger: logger)
    }

    /// Closes the connection pools, if this provider made them.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func complete(_ request: ChatCompletionRequest) async throws -> ChatCompletionResponse {
        var request = request
        request.stream = nil
        request.streamOptions = nil
        let bytes = try await completeRaw(Self.encode(request))
        do {
            return try ChatCompletionResponse.read(from: bytes)
        } catch {
            throw ProviderError.invalidResponse("the upstream's answer is not a chat completion")
        }
    }

    public func stream(_ request: ChatCompletionRequest) async throws -> ChatCompletionStream {
        var request = request
        request.stream = true
        return try await ChatCompletionStream(events: streamRaw(Self.encode(request)))
    }

    /// Sends a `/chat/completions` body exactly as given and returns the answer's bytes.
    public func completeRaw(_ body: ByteBuffer) async throws -> ByteBuffer {
        try await client.post("/chat/completions", body: body)
    }

    /// Sends a streaming `/chat/completions` body exactly as given and returns its events once
    /// the upstream has accepted it. Retries happen only before this returns.
    public func streamRaw(_ body: ByteBuffer) async throws -> ServerSentEventStream {
        try await client.stream("/chat/completions", body: body)
    }

    /// One whole response of the Responses API (`POST /responses`).
    public func createResponse(_ request: ResponsesRequest) async throws -> ResponsesResponse {
        var request = request
        request.stream = nil
        let bytes = try await client.post("/responses", body: Self.encode(request))
        do {
            return try JSONDecoder().decode(ResponsesResponse.self, from: Data(bytes.readableBytesView))
        } catch {
            throw ProviderError.invalidResponse("the upstream's answer is not a response")
        }
    }

    /// A streamed response of the Responses API, once the upstream has accepted the request.
    public func streamResponse(_ request: ResponsesRequest) async throws -> ResponsesEventStream {
        var request = request
        request.stream = true
        return ResponsesEventStream(events: try await client.stream("/responses", body: Self.encode(request)))
    }

    /// Embeddings of the inputs (`POST /embeddings`, as floats).
    public func embeddings(_ request: EmbeddingsRequest) async throws -> EmbeddingsResponse {
        let bytes = try await client.post("/embeddings", body: Self.encode(request))
        do {
            return try JSONDecoder().decode(EmbeddingsResponse.self, from: Data(bytes.readableBytesView))
        } catch {
            throw ProviderError.invalidResponse("the upstream's answer is not a list of embeddings")
        }
    }

    public func listModels() async throws -> ModelList {
        let bytes = try await client.get("/models")
        do {
            return try JSONDecoder().decode(ModelList.self, from: Data(bytes.readableBytesView))
        } catch {
            throw ProviderError.invalidResponse("the upstream's answer is not a model list")
        }
    }

    private static func encode(_ request: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONEncoder().encode(request))
    }
}
