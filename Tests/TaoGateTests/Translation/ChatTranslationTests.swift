import Foundation
import LLMClient
import NIOCore
import Testing

@testable import TaoGate

@Suite("Chat completions to and from the neutral core")
struct ChatTranslationTests {
    private func chat(_ json: String) throws -> ChatCompletionRequest {
        try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(json.utf8))
    }

    @Test("Leading system and developer messages become the system prompt; later ones keep their place")
    func systemMessages() throws {
        let request = try ChatDecoding.request(
            from: chat(
                #"{"model":"m","messages":[{"role":"system","content":"a"},{"role":"developer","content":"b"},{"role":"user","content":"hi"},{"role":"system","content":"c"}]}"#
            )
        )
        #expect(request.system == "a\n\nb")
        #expect(request.messages.map(\.role) == [.user, .system])
        #expect(request.messages[1].text == "c")
    }

    @Test("An assistant's tool calls and a tool's answer keep their call id")
    func toolCallsKeepIDs() throws {
        let request = try ChatDecoding.request(
            from: chat(
                #"{"model":"m","messages":[{"role":"user","content":"go"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},{"role":"tool","tool_call_id":"call_1","content":"done"}]}"#
            )
        )
        #expect(request.messages[1].content == [.toolCall(id: "call_1", name: "f", arguments: #"{"a":1}"#)])
        #expect(request.messages[2].content == [.toolResult(LLMToolResult(toolCallID: "call_1", content: [.text("done")], isError: false))])
    }

    @Test("reasoning_content on an assistant message is its reasoning")
    func reasoningContentIsReasoning() throws {
        let request = try ChatDecoding.request(
            from: chat(#"{"model":"m","messages":[{"role":"assistant","content":"x","reasoning_content":"because"}]}"#)
        )
        #expect(request.messages[0].content == [.reasoning(text: "because", signature: nil), .text("x")])
    }

    @Test("Image parts become images; a data URL becomes inline data")
    func imageParts() throws {
        let request = try ChatDecoding.request(
            from: chat(
                #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"see"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}"#
            )
        )
        #expect(
            request.messages[0].content == [.text("see"), .image(.data(mediaType: "image/png", base64: "AAAA")), .image(.url("https://x/y.png"))]
        )
    }

    @Test("A content part another API cannot carry is refused by name")
    func unsupportedPartIsRefused() throws {
        #expect(throws: TranslationError.unsupported("content part `input_audio`")) {
            try ChatDecoding.request(
                from: chat(
                    #"{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]}"#
                )
            )
        }
    }

    @Test("Tools, tool choice, parallel calls and the sampling settings carry over")
    func settingsCarryOver() throws {
        let request = try ChatDecoding.request(
            from: chat(
                #"{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object"}}}],"tool_choice":"required","parallel_tool_calls":false,"max_completion_tokens":50,"temperature":0.5,"top_p":0.9,"stop":"END","user":"u1","reasoning_effort":"high"}"#
            ),
            presentKeys: ["model", "messages", "tools", "seed", "logprobs"]
        )
        #expect(request.tools == [LLMTool(name: "f", description: "d", parameters: .object(["type": .string("object")]))])
        #expect(request.toolChoice == .required)
        #expect(request.parallelToolCalls == false)
        #expect(request.maxTokens == 50)
        #expect(request.stopSequences == ["END"])
        #expect(request.user == "u1")
        #expect(request.reasoning?.effectiveEffort == "high")
        #expect(request.dropped == ["seed", "logprobs"])
    }

    @Test("A named tool choice is that tool")
    func namedToolChoice() {
        #expect(ChatDecoding.toolChoice(from: .function(name: "lookup")) == .tool(name: "lookup"))
        #expect(ChatDecoding.toolChoice(from: .mode("none")) == LLMToolChoice.none)
    }

    @Test("A turn with tool calls finishes with tool calls even when the provider says stop")
    func toolCallsWinOverStop() {
        #expect(ChatDecoding.finishReason("stop", hasToolCalls: true) == .toolCalls)
        #expect(ChatDecoding.finishReason("length", hasToolCalls: false) == .length)
        #expect(ChatDecoding.finishReason("content_filter", hasToolCalls: false) == .contentFilter)
    }

    @Test("Chat usage keeps its cached and reasoning counts")
    func usageCounts() {
        let usage = ChatDecoding.usage(from: Usage(promptTokens: 100, completionTokens: 40, cachedTokens: 60, reasoningTokens: 10))
        #expect(usage == TokenUsage(inputTokens: 100, outputTokens: 40, cacheReadTokens: 60, reasoningTokens: 10))
    }

    @Test("Streamed tool call pieces become one started call and its argument fragments")
    func chunkDecoderToolCalls() {
        var decoder = ChatChunkDecoder()
        let first = ChatCompletionChunk(
            id: "c",
            created: 1,
            model: "m",
            choices: [
                .init(index: 0, delta: .init(toolCalls: [.init(index: 0, id: "call_9", type: "function", function: .init(name: "f", arguments: ""))]))
            ]
        )
        let second = ChatCompletionChunk(
            id: "c",
            created: 1,
            model: "m",
            choices: [.init(index: 0, delta: .init(toolCalls: [.init(index: 0, function: .init(arguments: "{\"a\""))]))]
        )
        let last = ChatCompletionChunk(id: "c", created: 1, model: "m", choices: [.init(index: 0, delta: .init(), finishReason: "stop")])
        #expect(decoder.events(from: first) == [.started(id: "c", model: "m"), .toolCallStarted(index: 0, id: "call_9", name: "f")])
        #expect(decoder.events(from: second) == [.toolCallArguments(index: 0, fragment: "{\"a\"")])
        #expect(decoder.events(from: last) == [.finished(.toolCalls, stopSequence: nil)])
    }

    @Test("Reasoning deltas are reasoning events")
    func chunkDecoderReasoning() {
        var decoder = ChatChunkDecoder()
        let chunk = ChatCompletionChunk(id: "c", created: 1, model: "m", choices: [.init(index: 0, delta: .init(reasoningContent: "hmm"))])
        #expect(decoder.events(from: chunk).last == .reasoning("hmm"))
    }

    // MARK: - Encoding

    @Test("A failed tool's result is marked with Error: in its tool message")
    func failedToolResultIsMarked() {
        let result = LLMToolResult(toolCallID: "t", content: [.text("no such file")], isError: true)
        #expect(ChatEncoding.toolResultText(result) == "Error: no such file")
        #expect(ChatEncoding.toolResultText(LLMToolResult(toolCallID: "t", content: [.text("ok")], isError: false)) == "ok")
    }

    @Test("An assistant turn goes out with its tool calls and its reasoning as reasoning_content")
    func assistantTurnEncoding() {
        let message = ChatEncoding.assistantMessage(
            LLMMessage(role: .assistant, content: [.reasoning(text: "think", signature: "s"), .toolCall(id: "t1", name: "f", arguments: "{}")])
        )
        #expect(message.content == nil)
        #expect(message.toolCalls == [ChatToolCall(id: "t1", name: "f", arguments: "{}")])
        #expect(message.reasoningContent == "think")
    }

    @Test("Each tool result becomes its own tool message, in order")
    func toolMessagesInOrder() {
        var request = LLMRequest(model: "m", messages: [])
        request.messages = [
            LLMMessage(role: .assistant, content: [.toolCall(id: "a", name: "f", arguments: "{}"), .toolCall(id: "b", name: "f", arguments: "{}")]),
            LLMMessage(role: .tool, content: [.toolResult(LLMToolResult(toolCallID: "a", content: [.text("1")], isError: false))]),
            LLMMessage(role: .tool, content: [.toolResult(LLMToolResult(toolCallID: "b", content: [.text("2")], isError: false))]),
        ]
        let chat = ChatEncoding.request(request, model: "m", stream: false)
        #expect(chat.messages.map(\.role) == ["assistant", "tool", "tool"])
        #expect(chat.messages.compactMap(\.toolCallID) == ["a", "b"])
    }

    @Test("A streamed request asks the provider for its usage")
    func streamAsksForUsage() {
        let chat = ChatEncoding.request(LLMRequest(model: "m", messages: [LLMMessage(role: .user, content: [.text("hi")])]), model: "x", stream: true)
        #expect(chat.stream == true)
        #expect(chat.streamOptions?.includeUsage == true)
        #expect(chat.model == "x")
    }

    @Test("A JSON schema response format is sent in chat's nested shape")
    func responseFormatShape() {
        let format = ChatEncoding.responseFormat(.jsonSchema(name: "r", schema: .object(["type": .string("object")]), strict: true))
        #expect(format["json_schema"]?["name"] == .string("r"))
        #expect(format["type"] == .string("json_schema"))
    }

    @Test("A translated stream writes a role chunk, the content, the finish chunk and [DONE]")
    func streamEncoderSequence() throws {
        var encoder = ChatStreamEncoder(model: "m", includeUsage: false)
        var buffer = ByteBuffer()
        for event in [
            LLMStreamEvent.started(id: "x", model: "m"), .text("Hel"), .text("lo"), .finished(.stop, stopSequence: nil),
            .usage(TokenUsage(inputTokens: 3, outputTokens: 2)),
        ] {
            encoder.append(event, to: &buffer)
        }
        encoder.finish(to: &buffer)
        var sse = SSEDecoder()
        let events = try sse.decode(buffer) + sse.finish()
        #expect(events.last?.data == "[DONE]")
        let chunks = try events.dropLast().map { try JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.data.utf8)) }
        #expect(chunks.first?.choices.first?.delta.role == "assistant")
        #expect(chunks.compactMap(\.contentDelta).joined() == "Hello")
        #expect(chunks.last?.choices.first?.finishReason == "stop")
        #expect(chunks.allSatisfy { $0.usage == nil })
    }

    @Test("The usage chunk goes to a client that asked for it, after the finish chunk")
    func streamEncoderUsageChunk() throws {
        var encoder = ChatStreamEncoder(model: "m", includeUsage: true)
        var buffer = ByteBuffer()
        encoder.append(.text("a"), to: &buffer)
        encoder.append(.usage(TokenUsage(inputTokens: 5, outputTokens: 1, cacheReadTokens: 2)), to: &buffer)
        encoder.append(.finished(.stop, stopSequence: nil), to: &buffer)
        encoder.finish(to: &buffer)
        var sse = SSEDecoder()
        let events = try sse.decode(buffer) + sse.finish()
        let usageChunk = try JSONDecoder().decode(ChatCompletionChunk.self, from: Data(events[events.count - 2].data.utf8))
        #expect(usageChunk.choices.isEmpty)
        #expect(usageChunk.usage == Usage(promptTokens: 5, completionTokens: 1, cachedTokens: 2))
    }

    @Test("Streamed tool calls get indices from 0 in the order they start")
    func streamEncoderToolIndices() throws {
        var encoder = ChatStreamEncoder(model: "m", includeUsage: false)
        var buffer = ByteBuffer()
        encoder.append(.toolCallStarted(index: 3, id: "a", name: "f"), to: &buffer)
        encoder.append(.toolCallArguments(index: 3, fragment: "{}"), to: &buffer)
        encoder.append(.toolCallStarted(index: 7, id: "b", name: "g"), to: &buffer)
        encoder.finish(to: &buffer)
        var sse = SSEDecoder()
        let chunks = try (sse.decode(buffer) + sse.finish()).dropLast().map {
            try JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.data.utf8))
        }
        let calls = chunks.flatMap { $0.choices.first?.delta.toolCalls ?? [] }
        #expect(calls.map(\.index) == [0, 0, 1])
        #expect(calls.compactMap(\.id) == ["a", "b"])
    }
}

@Suite("End-user ids sent to chat providers")
struct EndUserIDTests {
    @Test("A short end-user id goes as it is")
    func shortIDGoesAsItIs() {
        #expect(ChatEncoding.endUserID("user-42") == "user-42")
    }

    @Test("A long end-user id goes as a stable hash of at most 64 characters")
    func longIDIsHashed() {
        let long = String(repeating: "{\"device_id\":\"abc\"}", count: 10)
        let hashed = ChatEncoding.endUserID(long)
        #expect(hashed.count <= 64)
        #expect(hashed == ChatEncoding.endUserID(long))
        #expect(!hashed.contains("device_id"))
    }
}
