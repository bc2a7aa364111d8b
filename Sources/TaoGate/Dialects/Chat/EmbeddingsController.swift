import Hummingbird
import LLMClient
import NIOCore

/// `POST /v1/embeddings`: passed through to a provider that serves embeddings (`apis:` lists
/// `embeddings`), with its usage recorded. No other API carries embeddings, so nothing is
/// translated: a model whose provider serves none gets 404.
struct EmbeddingsController {
    let router: ModelRouter
    let shutdownGrace: Duration

    func addRoutes(to group: GatewayRouteGroup) {
        group.post("embeddings", use: create)
    }

    @Sendable func create(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let (body, fields) = try context.jsonBody
        let model = try fields.validModel()
        guard fields.hasInput else { throw InboundBody.invalid("input is required", param: "input") }
        guard router.knows(model) else { throw GatewayError.unknownModel(model) }
        context.record.update { $0.model = model }
        let routed = RoutedRequest(api: .embeddings, model: model, stream: false, body: body) {
            throw TranslationError.unsupported("an embeddings request")
        }
        let router = self.router
        let started = ContinuousClock.now
        let answer = try await RequestLifetime(context: context, shutdownGrace: shutdownGrace).run {
            try await router.complete(routed, record: context.record)
        }
        context.record.update { $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds }
        guard case .native(let bytes) = answer else { throw GatewayError(.internalError) }
        if let usage = UsageSniffer.usage(inBody: bytes) { context.record.noteUsage(ChatDecoding.usage(from: usage)) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: bytes))
    }
}
