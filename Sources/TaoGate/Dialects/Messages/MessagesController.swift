import HTTPTypes
import Hummingbird
import LLMClient
import NIOCore

/// The Anthropic surface: `POST /v1/messages` (plain and streamed) and
/// `POST /v1/messages/count_tokens`, as Claude Code and the Anthropic SDKs call them (a query
/// such as `?beta=true` is accepted).
///
/// Native to a provider that speaks Anthropic's API: the body goes upstream as sent, with the
/// client's `anthropic-*` headers (never its key), and the answer comes back as it was. To a
/// chat provider the request is translated through the neutral core, and the answer back.
struct MessagesController {
    let router: ModelRouter
    let maxMessages: Int
    let shutdownGrace: Duration

    /// `create` serves `POST /v1/messages` (admitted against a key's budget); `countTokens` serves
    /// `POST /v1/messages/count_tokens`, which costs nothing.
    func addRoutes(create: GatewayRouteGroup, countTokens: GatewayRouteGroup) {
        create.post("messages", use: self.create)
        countTokens.post("messages/count_tokens", use: self.countTokens)
    }

    @Sendable func create(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let (body, fields) = try context.jsonBody
        let model = try fields.validModel()
        _ = try fields.validMessageCount(max: maxMessages)
        // Anthropic's API requires it; refused here, the answer is the same whatever the route.
        guard fields.keys.contains("max_tokens") else { throw InboundBody.invalid("max_tokens is required", param: "max_tokens") }
        guard router.knows(model) else { throw GatewayError.unknownModel(model) }
        context.record.update {
            $0.model = model
            $0.streamed = fields.stream
        }
        let routed = RoutedRequest(
            api: .messages,
            model: model,
            stream: fields.stream,
            body: body,
            forwardedHeaders: Self.forwardedHeaders(of: request),
            neutral: Self.neutral(body, keys: fields.keys)
        )
        let lifetime = RequestLifetime(context: context, shutdownGrace: shutdownGrace)
        let router = self.router
        let started = ContinuousClock.now

        if !fields.stream {
            let answer = try await lifetime.run { try await router.complete(routed, record: context.record) }
            context.record.update { $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds }
            switch answer {
            case .native(let bytes):
                if let usage = MessagesUsageSniffer.usage(inMessage: bytes) { context.record.noteUsage(MessagesDecoding.usage(from: usage)) }
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: bytes))
            case .translated(let response):
                if let usage = response.usage { context.record.noteUsage(usage) }
                return try ClientBody.json(MessagesEncoding.response(response))
            }
        }

        let stream = try await lifetime.run { try await router.stream(routed, record: context.record) }
        context.record.update { $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds }
        switch stream {
        case .native(let events):
            return Response.eventStream(context: context, shutdownGrace: shutdownGrace, errors: .anthropic) { writer in
                try await Self.relayNative(events, record: context.record, to: &writer)
            }
        case .translated(let events, let neutral):
            let estimate = TokenEstimate.inputTokens(of: neutral)
            return Response.eventStream(context: context, shutdownGrace: shutdownGrace, errors: .anthropic) { writer in
                var encoder = MessagesStreamEncoder(model: model, estimatedInputTokens: estimate)
                try await StreamRelay.relay(events, record: context.record, to: &writer) { event, buffer in
                    encoder.append(event, to: &buffer)
                } finish: { buffer in
                    encoder.finish(to: &buffer)
                }
            }
        }
    }

    /// The provider's own count where it serves Anthropic's API; else an estimate of about four
    /// characters per token (see `TokenEstimate`).
    @Sendable func countTokens(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let (body, fields) = try context.jsonBody
        let model = try fields.validModel()
        _ = try fields.validMessageCount(max: maxMessages)
        guard router.knows(model) else { throw GatewayError.unknownModel(model) }
        context.record.update { $0.model = model }
        let routed = RoutedRequest(
            api: .messages,
            model: model,
            stream: false,
            body: body,
            forwardedHeaders: Self.forwardedHeaders(of: request),
            neutral: Self.neutral(body, keys: fields.keys)
        )
        let router = self.router
        let count = try await RequestLifetime(context: context, shutdownGrace: shutdownGrace).run {
            try await router.countTokens(routed, record: context.record)
        }
        switch count {
        case .native(let bytes):
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: bytes))
        case .estimated(let tokens):
            return try ClientBody.json(MessagesTokenCount(inputTokens: tokens))
        }
    }

    /// The client's `anthropic-*` headers (`anthropic-version`, `anthropic-beta`, …), for native calls.
    static func forwardedHeaders(of request: Request) -> [(String, String)] {
        request.headers.compactMap { field in
            let name = field.name.canonicalName
            return name.hasPrefix("anthropic-") ? (name, field.value) : nil
        }
    }

    static func neutral(_ body: ByteBuffer, keys: [String]) -> @Sendable () throws -> LLMRequest {
        { try MessagesDecoding.request(from: try ClientBody.decode(MessagesRequest.self, from: body), presentKeys: keys) }
    }

    /// Relays an Anthropic provider's events as they came, noting the usage of `message_start`
    /// and `message_delta`. After `message_stop` the rest of the body is read, so that its
    /// connection goes back to the pool.
    @concurrent static func relayNative(
        _ events: ServerSentEventStream,
        record: RequestRecord,
        to writer: inout any ResponseBodyWriter
    ) async throws {
        var pending = ByteBuffer()
        var iterator = events.makeAsyncIterator()
        var usage = MessagesUsage()
        var stopped = false
        while !stopped {
            var relayed = 0
            let more = try await iterator.nextEvents { event in
                guard !stopped else { return }
                switch event.event {
                case "message_start", "message_delta":
                    if let update = MessagesUsageSniffer.usage(inEvent: event.dataBytes, name: event.event ?? "") {
                        usage.merge(update)
                        record.noteUsage(MessagesDecoding.usage(from: usage))
                    }
                case "content_block_delta":
                    relayed += 1
                case "message_stop":
                    stopped = true
                default:
                    break
                }
                OpenAIStreamEvents.append(event, to: &pending)
            }
            guard more else { break }
            // Noted once per read, not once per event: a lock each.
            record.noteRelayedChunks(relayed)
            if pending.readableBytes > 0 {
                try await writer.write(pending)
                pending.clear()
            }
        }
        if pending.readableBytes > 0 { try await writer.write(pending) }
        if stopped { await iterator.drain() }
    }
}

extension MessagesUsage {
    /// Counts of a later event replace those of an earlier one (`message_delta`'s are cumulative).
    mutating func merge(_ update: MessagesUsage) {
        if let value = update.inputTokens { inputTokens = value }
        if let value = update.outputTokens { outputTokens = value }
        if let value = update.cacheReadInputTokens { cacheReadInputTokens = value }
        if let value = update.cacheCreationInputTokens { cacheCreationInputTokens = value }
    }
}
