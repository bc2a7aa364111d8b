import Foundation
import HTTPTypes
import Hummingbird
import LLMClient
import NIOCore

/// The OpenAI chat surface: `POST /v1/chat/completions` (plain and streamed) and `GET /v1/models`.
///
/// Native to a provider that speaks chat: the body goes upstream as the client sent it, and the
/// answer and its chunks come back without being re-encoded. To a provider that speaks only
/// Anthropic's API the request is translated through the neutral core, and the answer back.
struct OpenAIController {
    let router: ModelRouter
    let catalog: ModelCatalog
    let maxMessages: Int
    let shutdownGrace: Duration

    func addRoutes(to v1: GatewayRouteGroup, chat: GatewayRouteGroup) {
        chat.post("chat/completions", use: chatCompletions)
        v1.get("models", use: models)
    }

    @Sendable func models(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let listing = await catalog.listing()
        let list = ModelList(data: listing.models.map { ModelList.Model(id: $0, ownedBy: "taogate") })
        return try context.responseEncoder.encode(list, from: request, context: context)
    }

    @Sendable func chatCompletions(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let (body, fields) = try context.jsonBody
        let model = try fields.validModel()
        _ = try fields.validMessageCount(max: maxMessages)
        guard router.knows(model) else { throw GatewayError.unknownModel(model) }
        context.record.update {
            $0.model = model
            $0.streamed = fields.stream
        }
        let keys = fields.keys
        let neutral: @Sendable () throws -> LLMRequest = {
            try ChatDecoding.request(from: try ClientBody.decode(ChatCompletionRequest.self, from: body), presentKeys: keys)
        }
        let lifetime = RequestLifetime(context: context, shutdownGrace: shutdownGrace)
        let router = self.router
        let started = ContinuousClock.now

        if !fields.stream {
            let routed = RoutedRequest(api: .chat, model: model, stream: false, body: body, neutral: neutral)
            let answer = try await lifetime.run { try await router.complete(routed, record: context.record) }
            context.record.update { $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds }
            switch answer {
            case .native(let bytes):
                if let usage = UsageSniffer.usage(inBody: bytes) { context.record.noteUsage(ChatDecoding.usage(from: usage)) }
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: bytes))
            case .translated(let response):
                if let usage = response.usage { context.record.noteUsage(usage) }
                return try ClientBody.json(ChatEncoding.response(response))
            }
        }

        // Native streams ask the upstream for usage; a client that did not ask does not see it.
        let injectedUsage = !fields.includeUsage
        let upstreamBody = injectedUsage ? try ChatBodyRewrite.requestingUsage(body, hasStreamOptions: fields.hasStreamOptions) : body
        let routed = RoutedRequest(api: .chat, model: model, stream: true, body: upstreamBody, neutral: neutral)
        let stream = try await lifetime.run { try await router.stream(routed, record: context.record) }
        context.record.update { $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds }
        switch stream {
        case .native(let events):
            return Response.eventStream(context: context, shutdownGrace: shutdownGrace, errors: .openAI) { writer in
                try await Self.relayNative(events, injectedUsage: injectedUsage, record: context.record, to: &writer)
            }
        case .translated(let events, _):
            let includeUsage = fields.includeUsage
            return Response.eventStream(context: context, shutdownGrace: shutdownGrace, errors: .openAI) { writer in
                var encoder = ChatStreamEncoder(model: model, includeUsage: includeUsage)
                try await StreamRelay.relay(events, record: context.record, to: &writer) { event, buffer in
                    encoder.append(event, to: &buffer)
                } finish: { buffer in
                    encoder.finish(to: &buffer)
                }
            }
        }
    }

    /// Relays a chat provider's events as they came, noting the usage they report. Events
    /// decoded from one upstream read go out in one write. After `[DONE]` the rest of the body
    /// is read, so that its connection goes back to the pool.
    @concurrent static func relayNative(
        _ events: ServerSentEventStream,
        injectedUsage: Bool,
        record: RequestRecord,
        to writer: inout any ResponseBodyWriter
    ) async throws {
        var pending = ByteBuffer()
        var iterator = events.makeAsyncIterator()
        var sawDone = false
        while !sawDone {
            var relayed = 0
            let more = try await iterator.nextEvents { event in
                guard !sawDone else { return }
                if event.dataIs("[DONE]") {
                    sawDone = true
                    return
                }
                let usage = UsageSniffer.usage(inEvent: event.dataBytes)
                if let usage { record.noteUsage(ChatDecoding.usage(from: usage.usage)) }
                if !(injectedUsage && usage?.usageOnly == true) {
                    OpenAIStreamEvents.append(event, to: &pending)
                    relayed += 1
                }
            }
            guard more else { break }
            // Noted once per read, not once per event: a lock each.
            record.noteRelayedChunks(relayed)
            if !sawDone, pending.readableBytes > 0 {
                try await writer.write(pending)
                pending.clear()
            }
        }
        pending.writeImmutableBuffer(OpenAIStreamEvents.done)
        try await writer.write(pending)
        if sawDone { await iterator.drain() }
    }
}
