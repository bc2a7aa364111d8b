import HTTPTypes
import Hummingbird
import LLMClient
import NIOCore

/// `POST /api/chat` and `POST /api/chat/stream`: the reference API's chat routes.
struct ChatController {
    let service: ChatService
    let maxBodyBytes: Int
    let maxMessageCharacters: Int
    let shutdownGrace: Duration

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.post(use: chat)
        group.post("stream", use: stream)
    }

    /// `{ success, response, usage, model }`
    struct Reply: ResponseEncodable {
        let success: Bool
        let response: String
        let usage: Usage
        let model: String
    }

    @Sendable func chat(_ request: Request, context: GatewayRequestContext) async throws -> Reply {
        var request = request
        let input = try await ChatInput.decode(
            from: &request,
            context: context,
            maxBytes: maxBodyBytes,
            maxMessageCharacters: maxMessageCharacters
        )
        let model = service.model(for: input)
        context.record.update {
            $0.model = model
            $0.messageLength = input.message.count
        }
        let started = ContinuousClock.now
        let service = self.service
        let completion = try await RequestLifetime(context: context, shutdownGrace: shutdownGrace).run {
            try await service.complete(input)
        }
        let usage = completion.usage ?? Usage(promptTokens: 0, completionTokens: 0)
        context.record.update {
            $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds
            $0.usage = (usage.promptTokens, usage.completionTokens)
        }
        return Reply(success: true, response: completion.text, usage: usage, model: completion.model.isEmpty ? model : completion.model)
    }

    /// `data: {"content":"…"}` per delta, then `data: [DONE]`. A failure before the first byte is
    /// a JSON error (thrown from here); after it, an `event: error` ends the stream.
    @Sendable func stream(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        var request = request
        let input = try await ChatInput.decode(
            from: &request,
            context: context,
            maxBytes: maxBodyBytes,
            maxMessageCharacters: maxMessageCharacters
        )
        let model = service.model(for: input)
        context.record.update {
            $0.model = model
            $0.messageLength = input.message.count
            $0.streamed = true
        }
        let started = ContinuousClock.now
        let chunks = try await service.stream(input)
        context.record.update { $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds }
        let language = Language(acceptLanguage: request.headers[.acceptLanguage])
        let service = self.service
        let shutdownGrace = self.shutdownGrace

        let errorEvent: @Sendable (GatewayError) -> ByteBuffer = { StreamEvents.error($0, language: language) }
        return Response.eventStream(context: context, shutdownGrace: shutdownGrace, errorEvent: errorEvent) { writer in
            let keepsReply = input.conversationID != nil
            var reply = ""
            // Events decoded from one upstream read go out in one write.
            var pending = ByteBuffer()
            var iterator = chunks.makeAsyncIterator()
            while let chunk = try await iterator.next() {
                if let usage = chunk.usage {
                    context.record.update { $0.usage = (usage.promptTokens, usage.completionTokens) }
                }
                if let content = chunk.contentDelta, !content.isEmpty {
                    if keepsReply { reply += content }
                    context.record.noteRelayedChunk()
                    StreamEvents.appendContent(content, to: &pending)
                }
                if !iterator.hasBufferedChunk, pending.readableBytes > 0 {
                    try await writer.write(pending)
                    pending.clear()
                }
            }
            try await service.remember(input, reply: reply)
            pending.writeImmutableBuffer(StreamEvents.done)
            try await writer.write(pending)
        }
    }
}

/// The reference stream's events, written without a JSON encoder per chunk.
enum StreamEvents {
    /// The headers of every event stream TaoGate sends.
    static let headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"]
    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    static func appendContent(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeStaticString("data: {\"content\":")
        JSONText.writeString(text, to: &buffer)
        buffer.writeStaticString("}\n\n")
    }

    static func error(_ error: GatewayError, language: Language) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeStaticString("event: error\ndata: {\"error\":")
        JSONText.writeString((error.message ?? error.code.defaultMessage).text(in: language), to: &buffer)
        buffer.writeStaticString(",\"code\":")
        JSONText.writeString(error.code.rawValue, to: &buffer)
        buffer.writeStaticString("}\n\n")
        return buffer
    }
}
