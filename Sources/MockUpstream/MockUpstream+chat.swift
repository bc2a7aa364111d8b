import Foundation
import Hummingbird
import LLMClient
import NIOCore

extension MockUpstream {
    /// `POST /v1/chat/completions`: text, a tool call, or JSON for a schema (see `MockReply`),
    /// with `reasoning_content` when `reasoning_effort` is set; plain or streamed.
    ///
    /// Like DeepSeek in thinking mode, it refuses (400) a request with `reasoning_effort` whose
    /// assistant tool-call turns do not carry their `reasoning_content` back.
    func chatCompletion(_ request: Request, context: BasicRequestContext) async throws -> Response {
        if let denied = checkAuthorization(request, anthropic: false) { return denied }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let chat: ChatCompletionRequest
        do {
            chat = try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(body.readableBytesView))
        } catch {
            return Self.error(status: .badRequest, message: "invalid chat completion request", anthropic: false)
        }
        let offered = (chat.tools ?? []).compactMap(\.function?.name)
        let fault = receive(request, body: body, offers: offered) { state in
            state.chatRequests.append(chat)
            state.chatRequestCount += 1
        }
        if let replaced = try await applyFault(fault, to: request, anthropic: false) { return replaced }
        if chat.reasoningEffort != nil,
            chat.messages.contains(where: { $0.role == "assistant" && $0.toolCalls != nil && $0.reasoningContent == nil })
        {
            return Self.error(
                status: .badRequest,
                message: "The `reasoning_content` in the thinking mode must be passed back to the API.",
                anthropic: false
            )
        }

        let prompt = MockPrompt(chat: chat)
        let answer = MockReply.answer(for: prompt, script: fault?.callTool)
        let reasoning = prompt.wantsReasoning ? MockReply.reasoning(for: prompt) : nil
        let usage = MockReply.usage(for: chat, script: fault?.callTool)
        if chat.stream == true {
            return chatStream(chat, answer: answer, reasoning: reasoning, usage: usage, fault: fault ?? MockFault())
        }
        let message: ChatCompletionResponse.Message
        switch answer {
        case .text(let text):
            message = .init(content: text, reasoningContent: reasoning)
        case .toolCall(let id, let name, let arguments):
            message = .init(content: nil, toolCalls: [ChatToolCall(id: id, name: name, arguments: arguments)], reasoningContent: reasoning)
        }
        let completion = ChatCompletionResponse(
            id: "chatcmpl-mock-\(chatRequestCount)",
            created: Int(Date().timeIntervalSince1970),
            model: chat.model,
            choices: [.init(index: 0, message: message, finishReason: answer.isToolCall ? "tool_calls" : "stop")],
            usage: usage
        )
        return Self.json(completion)
    }

    private func chatStream(_ chat: ChatCompletionRequest, answer: MockReply.Answer, reasoning: String?, usage: Usage, fault: MockFault) -> Response {
        let created = Int(Date().timeIntervalSince1970)
        let includeUsage = chat.streamOptions?.includeUsage == true
        @Sendable func chunk(_ delta: ChatCompletionChunk.Delta, finish: String? = nil, usage: Usage? = nil, choices: Bool = true) -> ByteBuffer {
            let value = ChatCompletionChunk(
                id: "chatcmpl-mock-stream",
                created: created,
                model: chat.model,
                choices: choices ? [.init(index: 0, delta: delta, finishReason: finish)] : [],
                usage: usage
            )
            return Self.event((try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}", fault: fault)
        }
        // The content as the stream sends it: reasoning pieces, then text pieces or a tool call.
        var deltas: [ChatCompletionChunk.Delta] = (reasoning.map(MockReply.pieces(of:)) ?? []).map { .init(reasoningContent: $0) }
        switch answer {
        case .text(let text):
            deltas += MockReply.pieces(of: text).map { .init(content: $0) }
        case .toolCall(let id, let name, let arguments):
            deltas.append(.init(toolCalls: [.init(index: 0, id: id, type: "function", function: .init(name: name, arguments: ""))]))
            deltas += Self.fragments(of: arguments).map { .init(toolCalls: [.init(index: 0, function: .init(arguments: $0))]) }
        }
        let finishReason = answer.isToolCall ? "tool_calls" : "stop"
        let pieces = deltas
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                let started = ContinuousClock.now
                do {
                    if let size = fault.longLineBytes {
                        try await writer.write(chunk(.init(content: String(repeating: "x", count: size))))
                    }
                    try await writer.write(chunk(.init(role: "assistant", content: "")))
                    for (index, delta) in pieces.enumerated() {
                        try await Self.applyStreamFault(fault, at: index, writer: &writer, partial: "data: {\"id\":\"chatcmpl-mock-stream\",\"choi")
                        try await writer.write(chunk(delta))
                    }
                    try await writer.write(chunk(.init(), finish: finishReason))
                    if includeUsage { try await writer.write(chunk(.init(), usage: usage, choices: false)) }
                    if fault.omitDone != true { try await writer.write(Self.event("[DONE]", fault: fault)) }
                } catch let error where !(error is MockConnectionCut) {
                    // A write failed or the task was cancelled: the caller went away.
                    self.noteAbandoned(after: started)
                    throw error
                }
                try await writer.finish(nil)
            }
        )
    }

    /// A stream fault that applies before piece number `index`: a cut, half an event, silence,
    /// garbage, or a pause.
    static func applyStreamFault(_ fault: MockFault, at index: Int, writer: inout any ResponseBodyWriter, partial: String) async throws {
        if fault.cutAfterChunks == index { throw MockConnectionCut() }
        if fault.truncateAfterChunks == index {
            try await writer.write(ByteBuffer(string: partial))
            throw MockConnectionCut()
        }
        if fault.hangAfterChunks == index {
            try await Task.sleep(for: fault.hangDuration)
            throw MockConnectionCut()
        }
        if fault.garbageAfterChunks == index { try await writer.write(event("this is not json", fault: fault)) }
        if let drip = fault.dripMs { try await Task.sleep(for: .milliseconds(drip)) }
    }

    /// JSON text cut into pieces of eight characters, as models stream tool arguments.
    static func fragments(of text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if current.count == 8 {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }
}

extension MockReply.Answer {
    var isToolCall: Bool {
        if case .toolCall = self { return true }
        return false
    }
}
