import HTTPTypes
import Hummingbird
import LLMClient
import NIOCore

/// `POST /api/chat` and `POST /api/chat/stream`: the reference API's chat routes. Their requests
/// reach every provider through the neutral core (no provider speaks the reference API).
struct ChatController {
    let service: ChatService
    let maxMessageCharacters: Int
    let shutdownGrace: Duration

    func addRoutes(to group: GatewayRouteGroup) {
        group.post(use: chat)
        group.post("stream", use: stream)
    }

    /// `{ success, response, usage, model }`, written by hand: through `JSONEncoder` it was a
    /// twentieth of an `/api/chat` call's CPU.
    struct Reply: ResponseGenerator {
        struct Usage {
            let prompt_tokens: Int
            let completion_tokens: Int
            let total_tokens: Int
        }

        let success: Bool
        let response: String
        let usage: Usage
        let model: String

        func response(from request: Request, context: some RequestContext) throws -> Response {
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: json))
        }

        var json: ByteBuffer {
            var body = ByteBuffer()
            body.reserveCapacity(96 + response.utf8.count + model.utf8.count)
            body.writeString(success ? #"{"success":true,"response":"# : #"{"success":false,"response":"#)
            JSONText.writeString(response, to: &body)
            body.writeString(#","usage":{"prompt_tokens":"#)
            body.writeString(String(usage.prompt_tokens))
            body.writeString(#","completion_tokens":"#)
            body.writeString(String(usage.completion_tokens))
            body.writeString(#","total_tokens":"#)
            body.writeString(String(usage.total_tokens))
            body.writeString(#"},"model":"#)
            JSONText.writeString(model, to: &body)
            body.writeString("}")
            return body
        }
    }

    @Sendable func chat(_ request: Request, context: GatewayRequestContext) async throws -> Reply {
        let input = try ChatInput.decode(from: try context.jsonBody.body, context: context, maxMessageCharacters: maxMessageCharacters)
        let model = service.model(for: input)
        context.record.update {
            $0.model = model
            $0.messageLength = input.message.count
        }
        let started = ContinuousClock.now
        let service = self.service
        let response = try await RequestLifetime(context: context, shutdownGrace: shutdownGrace).run {
            try await service.complete(input, record: context.record)
        }
        let usage = response.usage ?? TokenUsage(inputTokens: 0, outputTokens: 0)
        context.record.update {
            $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds
            $0.usage = usage
        }
        return Reply(
            success: true,
            response: response.text,
            usage: .init(prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.totalTokens),
            model: response.model.isEmpty ? model : response.model
        )
    }

    /// `data: {"content":"…"}` per delta, then `data: [DONE]`. A failure before the first byte is
    /// a JSON error (thrown from here); after it, an `event: error` ends the stream.
    @Sendable func stream(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let input = try ChatInput.decode(from: try context.jsonBody.body, context: context, maxMessageCharacters: maxMessageCharacters)
        let model = service.model(for: input)
        context.record.update {
            $0.model = model
            $0.messageLength = input.message.count
            $0.streamed = true
        }
        let started = ContinuousClock.now
        let service = self.service
        let events = try await RequestLifetime(context: context, shutdownGrace: shutdownGrace).run {
            try await service.stream(input, record: context.record)
        }
        context.record.update { $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds }
        let language = Language(acceptLanguage: request.headers[.acceptLanguage])
        return Response.eventStream(context: context, shutdownGrace: shutdownGrace, errors: .reference, language: language) { writer in
            let keepsReply = input.conversationID != nil
            var reply = ""
            var pending = ByteBuffer()
            var iterator = events.makeAsyncIterator()
            while let event = try await iterator.next() {
                switch event {
                case .text(let content):
                    // The reply kept for the conversation is bounded, whatever the provider streams.
                    if keepsReply, reply.utf8.count < service.maxReplyCharacters { reply += content }
                    context.record.noteRelayedChunk()
                    ReferenceStreamEvents.appendContent(content, to: &pending)
                case .usage(let usage):
                    context.record.noteUsage(usage)
                default:
                    break
                }
                // Events decoded from one upstream read go out in one write.
                if !iterator.hasBufferedEvent, pending.readableBytes > 0 {
                    try await writer.write(pending)
                    pending.clear()
                }
            }
            try await service.remember(input, reply: reply)
            pending.writeImmutableBuffer(ReferenceStreamEvents.done)
            try await writer.write(pending)
        }
    }
}
