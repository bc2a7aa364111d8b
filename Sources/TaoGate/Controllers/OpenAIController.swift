import HTTPTypes
import Hummingbird
import LLMClient
import NIOCore

/// The OpenAI-compatible surface: `POST /v1/chat/completions` (plain and streamed) and
/// `GET /v1/models`. Request bodies go upstream as the client sent them; answers and chunks come
/// back without being re-encoded.
struct OpenAIController {
    let router: ModelRouter
    let catalog: ModelCatalog
    let maxBodyBytes: Int
    let maxMessages: Int
    let shutdownGrace: Duration

    func addRoutes(to v1: RouterGroup<GatewayRequestContext>, chat: RouterGroup<GatewayRequestContext>) {
        chat.post("chat/completions", use: chatCompletions)
        v1.get("models", use: models)
    }

    @Sendable func models(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let listing = await catalog.listing()
        let list = ModelList(data: listing.models.map { ModelList.Model(id: $0, ownedBy: "taogate") })
        return try context.responseEncoder.encode(list, from: request, context: context)
    }

    @Sendable func chatCompletions(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: maxBodyBytes)
        let (fields, hasStreamOptions) = try PassthroughRequest.parse(body)
        guard fields.messageCount <= maxMessages else {
            var error = GatewayError.invalidRequest(
                en: "messages may hold at most \(maxMessages) messages",
                zh: "messages 最多 \(maxMessages) 条"
            )
            error.param = "messages"
            throw error
        }
        guard router.knows(fields.model) else { throw GatewayError.unknownModel(fields.model) }
        context.record.update {
            $0.model = fields.model
            $0.streamed = fields.stream
        }
        let started = ContinuousClock.now
        if !fields.stream {
            let router = self.router
            let routed = try await RequestLifetime(context: context, shutdownGrace: shutdownGrace).run {
                try await router.completeRaw(body, model: fields.model)
            }
            let usage = UsageSniffer.usage(inBody: routed)
            context.record.update {
                $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds
                $0.usage = usage.map { ($0.promptTokens, $0.completionTokens) }
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: routed))
        }

        let injectedUsage = !fields.clientWantsUsage
        let upstreamBody = injectedUsage ? try PassthroughRequest.requestingUsage(body, hasStreamOptions: hasStreamOptions) : body
        let routed = try await router.streamRaw(upstreamBody, model: fields.model)
        context.record.update { $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds }
        let shutdownGrace = self.shutdownGrace
        return Response.eventStream(context: context, shutdownGrace: shutdownGrace, errorEvent: OpenAIStreamEvents.error) { writer in
            // Events decoded from one upstream read go out in one write.
            var pending = ByteBuffer()
            var iterator = routed.makeAsyncIterator()
            while let event = try await iterator.next(), event.data != "[DONE]" {
                let usage = UsageSniffer.usage(inEvent: event.data)
                if let usage {
                    context.record.update { $0.usage = (usage.usage.promptTokens, usage.usage.completionTokens) }
                }
                if !(injectedUsage && usage?.usageOnly == true) {
                    OpenAIStreamEvents.append(event, to: &pending)
                    context.record.noteRelayedChunk()
                }
                if !iterator.hasBufferedEvent, pending.readableBytes > 0 {
                    try await writer.write(pending)
                    pending.clear()
                }
            }
            pending.writeImmutableBuffer(OpenAIStreamEvents.done)
            try await writer.write(pending)
        }
    }
}

/// Stream framing for the OpenAI surface: events are relayed as they came, never re-encoded.
enum OpenAIStreamEvents {
    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    static func append(_ event: ServerSentEvent, to buffer: inout ByteBuffer) {
        if let name = event.event {
            buffer.writeStaticString("event: ")
            buffer.writeString(name)
            buffer.writeStaticString("\n")
        }
        // A multi-line data field goes back out as several data lines. Scanned as bytes: a
        // split by Character would segment graphemes, many times the cost of the copy.
        var data = event.data
        data.withUTF8 { bytes in
            var lineStart = 0
            for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
                buffer.writeStaticString("data: ")
                buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[lineStart..<index]))
                buffer.writeStaticString("\n")
                lineStart = index + 1
            }
            buffer.writeStaticString("data: ")
            buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[lineStart...]))
            buffer.writeStaticString("\n\n")
        }
    }

    /// A failure after the first byte, as OpenAI's own streams report one: `data: {"error":{…}}`.
    static func error(_ error: GatewayError) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(OpenAIErrorResponder.body(for: error).readableBytesView)
        buffer.writeStaticString("\n\n")
        return buffer
    }
}
