import Foundation
import LLMClient
import NIOCore
import Testing

@testable import TaoGate

@Suite("Anthropic messages to and from the neutral core")
struct MessagesTranslationTests {
    private func messages(_ json: String) throws -> MessagesRequest {
        try JSONDecoder().decode(MessagesRequest.self, from: Data(json.utf8))
    }

    @Test("System blocks join into the system prompt; cache_control goes")
    func systemBlocks() throws {
        let request = try MessagesDecoding.request(
            from: messages(
                #"{"model":"m","max_tokens":10,"system":[{"type":"text","text":"one","cache_control":{"type":"ephemeral"}},{"type":"text","text":"two"}],"messages":[{"role":"user","content":"hi"}]}"#
            )
        )
        #expect(request.system == "one\n\ntwo")
    }

    @Test("A user turn's tool results become tool messages first, in order, then its text")
    func toolResultsFirst() throws {
        let request = try MessagesDecoding.request(
            from: messages(
                #"{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":"and?"},{"type":"tool_result","tool_use_id":"t1","content":"one"},{"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"two"}],"is_error":true}]}]}"#
            )
        )
        #expect(request.messages.map(\.role) == [.tool, .tool, .user])
        #expect(request.messages[0].content == [.toolResult(LLMToolResult(toolCallID: "t1", content: [.text("one")], isError: false))])
        #expect(request.messages[1].content == [.toolResult(LLMToolResult(toolCallID: "t2", content: [.text("two")], isError: true))])
        #expect(request.messages[2].text == "and?")
    }

    @Test("tool_use becomes a tool call whose arguments are its input as JSON text")
    func toolUseArguments() throws {
        let request = try MessagesDecoding.request(
            from: messages(
                #"{"model":"m","max_tokens":10,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls","timeout":5}}]}]}"#
            )
        )
        #expect(request.messages[0].content == [.toolCall(id: "toolu_1", name: "Bash", arguments: #"{"command":"ls","timeout":5}"#)])
    }

    @Test("Thinking blocks become reasoning with their signature")
    func thinkingIsReasoning() throws {
        let request = try MessagesDecoding.request(
            from: messages(
                #"{"model":"m","max_tokens":10,"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"ok"}]}]}"#
            )
        )
        #expect(request.messages[0].content == [.reasoning(text: "hmm", signature: "sig"), .text("ok")])
    }

    @Test("A server tool cannot go to a chat provider and is refused by name", arguments: ["web_search_20250305", "bash_20250124"])
    func serverToolsAreRefused(type: String) throws {
        #expect(throws: TranslationError.unsupported("server tool `\(type)`")) {
            try MessagesDecoding.request(
                from: messages(#"{"model":"m","max_tokens":10,"tools":[{"type":"\#(type)","name":"x"}],"messages":[{"role":"user","content":"hi"}]}"#)
            )
        }
    }

    @Test("A document block cannot go to a chat provider and is refused by name")
    func documentsAreRefused() throws {
        #expect(throws: TranslationError.unsupported("content block `document`")) {
            try MessagesDecoding.request(
                from: messages(
                    #"{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}]}]}"#
                )
            )
        }
    }

    @Test("Tool choice any means some tool is required; disable_parallel_tool_use turns parallel calls off")
    func toolChoice() throws {
        let request = try MessagesDecoding.request(
            from: messages(
                #"{"model":"m","max_tokens":10,"tool_choice":{"type":"any","disable_parallel_tool_use":true},"tools":[{"name":"f","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hi"}]}"#
            )
        )
        #expect(request.toolChoice == .required)
        #expect(request.parallelToolCalls == false)
    }

    @Test("Thinking with a budget, and adaptive thinking with its effort, become a reasoning effort")
    func thinkingBecomesEffort() {
        #expect(MessagesDecoding.reasoning(MessagesThinking(type: "enabled", budgetTokens: 2000), effort: nil)?.effectiveEffort == "low")
        #expect(MessagesDecoding.reasoning(MessagesThinking(type: "enabled", budgetTokens: 10000), effort: nil)?.effectiveEffort == "medium")
        #expect(MessagesDecoding.reasoning(MessagesThinking(type: "adaptive"), effort: "high")?.effectiveEffort == "high")
        #expect(MessagesDecoding.reasoning(MessagesThinking(type: "disabled"), effort: nil) == nil)
    }

    @Test("Members with no equivalent are named as dropped; stop sequences and the user id carry over")
    func droppedMembers() throws {
        let request = try MessagesDecoding.request(
            from: messages(
                #"{"model":"m","max_tokens":10,"top_k":5,"stop_sequences":["X"],"metadata":{"user_id":"u"},"messages":[{"role":"user","content":"hi"}]}"#
            ),
            presentKeys: ["model", "max_tokens", "top_k", "stop_sequences", "metadata", "messages", "context_management"]
        )
        #expect(request.dropped == ["top_k", "context_management"])
        #expect(request.stopSequences == ["X"])
        #expect(request.user == "u")
    }

    @Test(
        "Stop reasons map both ways",
        arguments: [("end_turn", LLMFinishReason.stop), ("max_tokens", .length), ("tool_use", .toolCalls), ("stop_sequence", .stopSequence)]
    )
    func stopReasons(anthropic: String, neutral: LLMFinishReason) {
        #expect(MessagesDecoding.finishReason(anthropic, hasToolCalls: neutral == .toolCalls) == neutral)
        #expect(MessagesEncoding.stopReason(neutral, hasToolCalls: neutral == .toolCalls) == anthropic)
    }

    @Test("Anthropic's input count leaves out the cache; the neutral count includes it, and back")
    func usageConventions() {
        let neutral = MessagesDecoding.usage(
            from: MessagesUsage(inputTokens: 10, outputTokens: 5, cacheCreationInputTokens: 20, cacheReadInputTokens: 70)
        )
        #expect(neutral == TokenUsage(inputTokens: 100, outputTokens: 5, cacheReadTokens: 70, cacheWriteTokens: 20))
        #expect(
            MessagesEncoding.usage(neutral) == MessagesUsage(inputTokens: 10, outputTokens: 5, cacheCreationInputTokens: 20, cacheReadInputTokens: 70)
        )
    }

    @Test("A stream's tool_use blocks become calls numbered from 0, with their input fragments")
    func eventDecoderToolBlocks() {
        var decoder = MessagesEventDecoder()
        _ = decoder.events(
            from: .messageStart(MessagesResponse(id: "msg", model: "m", content: [], stopReason: nil, usage: MessagesUsage(inputTokens: 7)))
        )
        _ = decoder.events(from: .contentBlockStart(index: 0, block: .text("")))
        #expect(
            decoder.events(from: .contentBlockStart(index: 1, block: .toolUse(id: "t", name: "f", input: .object([:])))) == [
                .toolCallStarted(index: 0, id: "t", name: "f")
            ]
        )
        #expect(
            decoder.events(from: .contentBlockDelta(index: 1, delta: .inputJSON("{\"a\":1}"))) == [
                .toolCallArguments(index: 0, fragment: "{\"a\":1}")
            ]
        )
        let end = decoder.events(from: .messageDelta(stopReason: "tool_use", stopSequence: nil, usage: MessagesUsage(outputTokens: 9)))
        #expect(end == [.finished(.toolCalls, stopSequence: nil), .usage(TokenUsage(inputTokens: 7, outputTokens: 9))])
    }

    // MARK: - Encoding

    private func conversation(_ messages: [LLMMessage], reasoning: LLMReasoning? = nil) -> (MessagesRequest, dropped: [String]) {
        var request = LLMRequest(model: "m", messages: messages)
        request.reasoning = reasoning
        request.maxTokens = 20000
        return MessagesEncoding.request(request, model: "claude", stream: false)
    }

    @Test("Tool results go back as one user turn after the calls; consecutive turns of one role merge")
    func toolResultsMerge() {
        let (request, _) = conversation([
            LLMMessage(role: .user, content: [.text("go")]),
            LLMMessage(role: .assistant, content: [.toolCall(id: "a", name: "f", arguments: "{}"), .toolCall(id: "b", name: "f", arguments: "{}")]),
            LLMMessage(role: .tool, content: [.toolResult(LLMToolResult(toolCallID: "a", content: [.text("1")], isError: false))]),
            LLMMessage(role: .tool, content: [.toolResult(LLMToolResult(toolCallID: "b", content: [.text("2")], isError: true))]),
            LLMMessage(role: .user, content: [.text("next")]),
        ])
        #expect(request.messages.map(\.role) == ["user", "assistant", "user"])
        #expect(request.messages[2].content.map(\.type) == ["tool_result", "tool_result", "text"])
        #expect(request.messages[2].content[1] == .toolResult(toolUseID: "b", content: .blocks([.text("2")]), isError: true))
    }

    @Test("A tool result without its call goes as text")
    func orphanResultIsText() {
        let (request, _) = conversation([
            LLMMessage(role: .tool, content: [.toolResult(LLMToolResult(toolCallID: "gone", content: [.text("42")], isError: false))])
        ])
        #expect(request.messages == [MessagesMessage(role: "user", content: [.text("Tool result: 42")])])
    }

    @Test("Reasoning that no Anthropic model signed is left out and named")
    func unsignedReasoningIsDropped() {
        let (request, dropped) = conversation([LLMMessage(role: .assistant, content: [.reasoning(text: "r", signature: nil), .text("answer")])])
        #expect(request.messages[0].content == [.text("answer")])
        #expect(dropped.contains("reasoning"))
    }

    @Test("Signed thinking goes back as it came, before the turn's tool calls")
    func signedThinkingIsKept() {
        let (request, dropped) = conversation(
            [
                LLMMessage(role: .user, content: [.text("go")]),
                LLMMessage(
                    role: .assistant,
                    content: [.reasoning(text: "r", signature: "sig"), .toolCall(id: "a", name: "f", arguments: #"{"x":1}"#)]
                ),
            ],
            reasoning: LLMReasoning(effort: "medium")
        )
        #expect(
            request.messages[1].content == [
                .thinking(thinking: "r", signature: "sig"), .toolUse(id: "a", name: "f", input: .object(["x": .integer(1)])),
            ]
        )
        #expect(request.thinking == MessagesThinking(type: "enabled", budgetTokens: 8192))
        #expect(dropped.isEmpty)
    }

    @Test("Thinking is not asked for when a tool-call turn carries no signed thinking (Anthropic would refuse it)")
    func thinkingOffWithoutSignedTurns() {
        let (request, dropped) = conversation(
            [
                LLMMessage(role: .user, content: [.text("go")]),
                LLMMessage(role: .assistant, content: [.toolCall(id: "a", name: "f", arguments: "{}")]),
            ],
            reasoning: LLMReasoning(effort: "high")
        )
        #expect(request.thinking == nil)
        #expect(dropped.contains("thinking"))
    }

    @Test("Temperature goes when thinking is on")
    func temperatureGoesWithThinking() {
        var request = LLMRequest(model: "m", messages: [LLMMessage(role: .user, content: [.text("hi")])])
        request.temperature = 0.7
        request.reasoning = LLMReasoning(budgetTokens: 2048)
        let (messages, dropped) = MessagesEncoding.request(request, model: "m", stream: false)
        #expect(messages.temperature == nil)
        #expect(dropped == ["temperature"])
        #expect(messages.maxTokens == MessagesEncoding.defaultMaxTokens)
    }

    @Test("Tool ids outside [a-zA-Z0-9_-] are mapped the same way on the call and its result")
    func toolIDsAreSanitised() {
        #expect(MessagesEncoding.toolUseID("functions.get:0") == "functions_get_0")
        #expect(MessagesEncoding.toolUseID("call_AZ-9") == "call_AZ-9")
    }

    @Test("Arguments that are not a JSON object become an empty input")
    func brokenArgumentsBecomeEmptyInput() {
        #expect(MessagesEncoding.toolInput("{not json") == .object([:]))
        #expect(MessagesEncoding.toolInput("") == .object([:]))
        #expect(MessagesEncoding.toolInput(#"{"a":[1]}"#) == .object(["a": .array([.integer(1)])]))
    }

    @Test("A chat answer with tool calls becomes a message that stops for tool_use")
    func responseWithToolCalls() {
        let response = MessagesEncoding.response(
            LLMResponse(
                id: "chatcmpl-1",
                model: "m",
                content: [.text("I'll look"), .toolCall(id: "c", name: "f", arguments: "{}")],
                finishReason: .stop
            )
        )
        #expect(response.stopReason == "tool_use")
        #expect(response.id == "msg_chatcmpl-1")
        #expect(response.content.map(\.type) == ["text", "tool_use"])
    }

    // MARK: - The translated stream

    private func encodedStream(_ events: [LLMStreamEvent], estimate: Int = 42) throws -> [MessagesStreamEvent] {
        var encoder = MessagesStreamEncoder(model: "m", estimatedInputTokens: estimate)
        var buffer = ByteBuffer()
        for event in events { encoder.append(event, to: &buffer) }
        encoder.finish(to: &buffer)
        var sse = SSEDecoder()
        return try (sse.decode(buffer) + sse.finish()).map { event in
            let decoded = try JSONDecoder().decode(MessagesStreamEvent.self, from: Data(event.data.utf8))
            #expect(event.event == decoded.name)
            return decoded
        }
    }

    @Test("A translated stream opens with message_start carrying the estimate, and ends with the exact counts")
    func streamStartAndEnd() throws {
        let events = try encodedStream([
            .started(id: "chatcmpl-9", model: "gpt"), .text("Hi"), .finished(.stop, stopSequence: nil),
            .usage(TokenUsage(inputTokens: 30, outputTokens: 2, cacheReadTokens: 10)),
        ])
        guard case .messageStart(let start) = events.first else {
            Issue.record("no message_start first")
            return
        }
        #expect(start.usage.inputTokens == 42)
        #expect(start.content.isEmpty)
        #expect(
            events.suffix(2).first
                == .messageDelta(
                    stopReason: "end_turn",
                    stopSequence: nil,
                    usage: MessagesUsage(inputTokens: 20, outputTokens: 2, cacheCreationInputTokens: 0, cacheReadInputTokens: 10)
                )
        )
        #expect(events.last == .messageStop)
    }

    @Test("Blocks open and close as the kind of content changes, with indices from 0")
    func streamBlocks() throws {
        let events = try encodedStream([
            .reasoning("think"), .text("say"), .toolCallStarted(index: 0, id: "a", name: "f"), .toolCallArguments(index: 0, fragment: "{}"),
            .toolCallStarted(index: 1, id: "b", name: "g"), .finished(.toolCalls, stopSequence: nil),
        ])
        let starts = events.compactMap { event -> (Int, String)? in
            if case .contentBlockStart(let index, let block) = event { return (index, block.type) }
            return nil
        }
        #expect(starts.map(\.0) == [0, 1, 2, 3])
        #expect(starts.map(\.1) == ["thinking", "text", "tool_use", "tool_use"])
        var open: Int?
        for event in events {
            switch event {
            case .contentBlockStart(let index, _):
                #expect(open == nil)
                open = index
            case .contentBlockDelta(let index, _):
                #expect(open == index)
            case .contentBlockStop(let index):
                #expect(open == index)
                open = nil
            default:
                break
            }
        }
        #expect(open == nil)
    }

    @Test("A stream that called tools stops for tool_use whatever the provider said")
    func streamStopsForToolUse() throws {
        let events = try encodedStream([.toolCallStarted(index: 0, id: "a", name: "f"), .finished(.stop, stopSequence: nil)])
        guard case .messageDelta(let reason, _, _) = events[events.count - 2] else {
            Issue.record("no message_delta")
            return
        }
        #expect(reason == "tool_use")
    }

    @Test("The input estimate is never 0 for a request that says anything")
    func estimateIsPositive() {
        let request = LLMRequest(model: "m", system: "Be brief.", messages: [LLMMessage(role: .user, content: [.text("Hello")])])
        #expect(TokenEstimate.inputTokens(of: request) > 0)
        var longer = request
        longer.messages.append(LLMMessage(role: .user, content: [.text(String(repeating: "word ", count: 400))]))
        #expect(TokenEstimate.inputTokens(of: longer) > TokenEstimate.inputTokens(of: request) + 400)
    }
}
