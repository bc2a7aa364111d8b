import Foundation
import Hummingbird
import LLMClient
import NIOCore

extension MockUpstream {
    /// `POST /v1/messages`: text, a tool call, or JSON for `output_config.format` (see
    /// `MockReply`), with a signed thinking block when `thinking` is on; plain or streamed.
    ///
    /// Like Anthropic it refuses (400) a request without `max_tokens`, thinking blocks whose
    /// signature it did not make, and tool ids outside `[a-zA-Z0-9_-]`.
    func message(_ request: Request, context: BasicRequestContext) async throws -> Response {
        if let denied = checkAuthorization(request, anthropic: true) { return denied }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let messages: MessagesRequest
        do {
            messages = try JSONDecoder().decode(MessagesRequest.self, from: Data(body.readableBytesView))
        } catch {
            return Self.error(status: .badRequest, message: "invalid messages request: \(error)", anthropic: true)
        }
        let offered = (messages.tools ?? []).map(\.name)
        let fault = receive(request, body: body, offers: offered) { $0.messagesRequests.append(messages) }
        if let replaced = try await applyFault(fault, to: request, anthropic: true) { return replaced }
        if let problem = Self.problem(with: messages) { return Self.error(status: .badRequest, message: problem, anthropic: true) }

        let prompt = MockPrompt(messages: messages)
        let answer = MockReply.answer(for: prompt, script: fault?.callTool)
        let thinking = prompt.wantsReasoning ? MockReply.reasoning(for: prompt) : nil
        let marksCache = String(buffer: body).contains("\"cache_control\"")
        let usage = MockReply.usage(for: messages, marksCache: marksCache, script: fault?.callTool)
        let id = "msg_mock_\(messages.messages.count)"
        if messages.stream == true {
            return messageStream(id: id, model: messages.model, answer: answer, thinking: thinking, usage: usage, fault: fault ?? MockFault())
        }
        var content: [MessagesContentBlock] = []
        if let thinking { content.append(.thinking(thinking: thinking, signature: MockReply.signature(of: thinking))) }
        switch answer {
        case .text(let text): content.append(.text(text))
        case .toolCall(let id, let name, let arguments):
            content.append(.toolUse(id: id, name: name, input: JSONValue(parsing: arguments) ?? .object([:])))
        }
        return Self.json(
            MessagesResponse(id: id, model: messages.model, content: content, stopReason: answer.isToolCall ? "tool_use" : "end_turn", usage: usage)
        )
    }

    /// `POST /v1/messages/count_tokens`: the words of the request.
    func countTokens(_ request: Request, context: BasicRequestContext) async throws -> Response {
        if let denied = checkAuthorization(request, anthropic: true) { return denied }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        guard let messages = try? JSONDecoder().decode(MessagesRequest.self, from: Data(body.readableBytesView)) else {
            return Self.error(status: .badRequest, message: "invalid count_tokens request", anthropic: true)
        }
        let fault = receive(request, body: body, offers: []) { _ in }
        if let replaced = try await applyFault(fault, to: request, anthropic: true) { return replaced }
        let prompt = MockPrompt(messages: messages)
        return Self.json(MessagesTokenCount(inputTokens: prompt.prefixWords + prompt.lastWords))
    }

    /// What Anthropic's API would refuse in this request, if anything.
    static func problem(with request: MessagesRequest) -> String? {
        guard request.maxTokens != nil else { return "max_tokens: Field required" }
        for (index, message) in request.messages.enumerated() {
            for block in message.content {
                switch block {
                case .thinking(let thinking, let signature) where signature != MockReply.signature(of: thinking):
                    return "messages.\(index).content: Invalid signature in thinking block"
                case .toolUse(let id, _, _) where !isToolID(id), .toolResult(let id, _, _) where !isToolID(id):
                    return "messages.\(index).content: tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'"
                default:
                    break
                }
            }
        }
        return nil
    }

    private static func isToolID(_ id: String) -> Bool {
        !id.isEmpty
            && id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }
    }

    private func messageStream(
        id: String,
        model: String,
        answer: MockReply.Answer,
        thinking: String?,
        usage: MessagesUsage,
        fault: MockFault
    ) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        @Sendable func event(_ value: MessagesStreamEvent) -> ByteBuffer {
            Self.event((try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}", name: value.name, fault: fault)
        }
        // Every event of the answer in order; faults count the content deltas.
        var steps: [(event: MessagesStreamEvent, isDelta: Bool)] = []
        var index = 0
        if let thinking {
            steps.append((.contentBlockStart(index: index, block: .thinking(thinking: "", signature: "")), false))
            steps += MockReply.pieces(of: thinking).map { (.contentBlockDelta(index: index, delta: .thinking($0)), true) }
            steps.append((.contentBlockDelta(index: index, delta: .signature(MockReply.signature(of: thinking))), false))
            steps.append((.contentBlockStop(index: index), false))
            index += 1
        }
        switch answer {
        case .text(let text):
            steps.append((.contentBlockStart(index: index, block: .text("")), false))
            steps += MockReply.pieces(of: text).map { (.contentBlockDelta(index: index, delta: .text($0)), true) }
        case .toolCall(let callID, let name, let arguments):
            steps.append((.contentBlockStart(index: index, block: .toolUse(id: callID, name: name, input: .object([:]))), false))
            steps += Self.fragments(of: arguments).map { (.contentBlockDelta(index: index, delta: .inputJSON($0)), true) }
        }
        steps.append((.contentBlockStop(index: index), false))
        let start = MessagesResponse(
            id: id,
            model: model,
            content: [],
            stopReason: nil,
            usage: MessagesUsage(
                inputTokens: usage.inputTokens,
                outputTokens: 1,
                cacheCreationInputTokens: usage.cacheCreationInputTokens,
                cacheReadInputTokens: usage.cacheReadInputTokens
            )
        )
        let stopReason = answer.isToolCall ? "tool_use" : "end_turn"
        let events = steps
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                let started = ContinuousClock.now
                do {
                    try await writer.write(event(.messageStart(start)))
                    try await writer.write(event(.ping))
                    var deltas = 0
                    for step in events {
                        if step.isDelta {
                            try await Self.applyStreamFault(
                                fault,
                                at: deltas,
                                writer: &writer,
                                partial: "event: content_block_delta\ndata: {\"type\":\"content_bl"
                            )
                            deltas += 1
                        }
                        try await writer.write(event(step.event))
                    }
                    try await writer.write(event(.messageDelta(stopReason: stopReason, stopSequence: nil, usage: usage)))
                    if fault.omitDone != true { try await writer.write(event(.messageStop)) }
                } catch let error where !(error is MockConnectionCut) {
                    self.noteAbandoned(after: started)
                    throw error
                }
                try await writer.finish(nil)
            }
        )
    }
}
