import Foundation
import LLMClient
import NIOCore
import Testing

@testable import TaoGate

@Suite("OpenAI Responses to and from the neutral core")
struct ResponsesTranslationTests {
    private func request(_ json: String) throws -> ResponsesRequest {
        try JSONDecoder().decode(ResponsesRequest.self, from: Data(json.utf8))
    }

    @Test("A string input is one user message; instructions are the system prompt")
    func stringInput() throws {
        let translation = try ResponsesDecoding.translation(of: request(#"{"model":"m","instructions":"Be brief.","input":"hi"}"#))
        #expect(translation.request.system == "Be brief.")
        #expect(translation.request.messages == [LLMMessage(role: .user, content: [.text("hi")])])
    }

    @Test("A reasoning item, an assistant message and function calls make one assistant turn; outputs are tool messages")
    func itemsMakeTurns() throws {
        let translation = try ResponsesDecoding.translation(
            of: request(
                #"{"model":"m","input":[{"role":"user","content":"go"},{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"think"}]},{"type":"message","role":"assistant","content":[{"type":"output_text","text":"ok"}]},{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},{"type":"function_call","call_id":"c2","name":"g","arguments":"{\"x\":1}"},{"type":"function_call_output","call_id":"c1","output":"one"},{"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"two"}]}]}"#
            )
        )
        let messages = translation.request.messages
        #expect(messages.map(\.role) == [.user, .assistant, .tool, .tool])
        #expect(
            messages[1].content == [
                .reasoning(text: "think", signature: nil), .text("ok"), .toolCall(id: "c1", name: "f", arguments: "{}"),
                .toolCall(id: "c2", name: "g", arguments: #"{"x":1}"#),
            ]
        )
        #expect(messages[3].content == [.toolResult(LLMToolResult(toolCallID: "c2", content: [.text("two")], isError: false))])
    }

    @Test("A custom tool is offered as a function of one string, and its call's input travels in it")
    func customTools() throws {
        let translation = try ResponsesDecoding.translation(
            of: request(
                #"{"model":"m","tools":[{"type":"custom","name":"apply_patch","description":"Edit files"}],"input":[{"type":"custom_tool_call","call_id":"c","name":"apply_patch","input":"*** Begin Patch"}]}"#
            )
        )
        #expect(translation.customTools == ["apply_patch"])
        #expect(translation.request.tools.first?.parameters == ResponsesDecoding.customToolParameters)
        #expect(translation.request.messages[0].content == [.toolCall(id: "c", name: "apply_patch", arguments: #"{"input":"*** Begin Patch"}"#)])
        let item = ResponsesEncoding.callItem(id: "c", name: "apply_patch", arguments: #"{"input":"*** End Patch"}"#, customTools: ["apply_patch"])
        guard case .customToolCall(let call) = item else {
            Issue.record("not a custom tool call")
            return
        }
        #expect(call.input == "*** End Patch")
        #expect(call.callID == "c")
    }

    @Test("Hosted tools are left out and named; members with no equivalent too")
    func hostedToolsAreNamed() throws {
        let translation = try ResponsesDecoding.translation(
            of: request(#"{"model":"m","tools":[{"type":"web_search","external_web_access":false},{"type":"function","name":"f"}],"input":"hi"}"#),
            presentKeys: ["model", "tools", "input", "prompt_cache_key"]
        )
        #expect(translation.request.tools.map(\.name) == ["f"])
        #expect(translation.request.dropped == ["prompt_cache_key", "tool web_search"])
    }

    @Test("A tool_choice that forces a hosted tool is refused")
    func forcedHostedTool() throws {
        #expect(throws: TranslationError.self) {
            try ResponsesDecoding.translation(of: request(#"{"model":"m","tool_choice":{"type":"file_search"},"input":"hi"}"#))
        }
    }

    @Test("reasoning.effort, max_output_tokens and text.format carry over")
    func settings() throws {
        let translation = try ResponsesDecoding.translation(
            of: request(
                #"{"model":"m","reasoning":{"effort":"high","summary":"auto"},"max_output_tokens":99,"text":{"format":{"type":"json_schema","name":"r","schema":{"type":"object"},"strict":true}},"input":"hi"}"#
            )
        )
        #expect(translation.request.reasoning?.effectiveEffort == "high")
        #expect(translation.request.maxTokens == 99)
        #expect(translation.request.responseFormat == .jsonSchema(name: "r", schema: .object(["type": .string("object")]), strict: true))
    }

    @Test("An answer cut by its token limit is an incomplete response with its reason")
    func lengthIsIncomplete() {
        let status = ResponsesEncoding.status(.length)
        #expect(status.status == "incomplete")
        #expect(status.incompleteDetails?["reason"] == .string("max_output_tokens"))
    }

    @Test("Output items follow the answer: reasoning, then message, then each call")
    func outputItems() {
        let items = ResponsesEncoding.outputItems(
            [
                .reasoning(text: "a", signature: nil), .reasoning(text: "b", signature: nil), .text("say"),
                .toolCall(id: "c", name: "f", arguments: "{}"),
            ],
            customTools: []
        )
        #expect(items.map(\.type) == ["reasoning", "message", "function_call"])
        guard case .reasoning(let reasoning) = items[0], case .functionCall(let call) = items[2] else { return }
        #expect(reasoning.summary == ["ab"])
        #expect(call.callID == "c")
    }

    @Test("The stream gives each item output_item.added, its deltas and output_item.done at one output_index, in order")
    func streamEncoderItems() throws {
        let echo = ResponsesEncoding.Echo(request: try request(#"{"model":"m","input":"hi"}"#), customTools: [])
        var encoder = ResponsesStreamEncoder(responseID: "resp_1", echo: echo)
        var buffer = ByteBuffer()
        for event in [
            LLMStreamEvent.reasoning("r"), .text("Hel"), .text("lo"), .toolCallStarted(index: 0, id: "c", name: "f"),
            .toolCallArguments(index: 0, fragment: "{}"), .usage(TokenUsage(inputTokens: 3, outputTokens: 4, cacheReadTokens: 1, reasoningTokens: 1)),
        ] {
            encoder.append(event, to: &buffer)
        }
        encoder.finish(to: &buffer)
        var sse = SSEDecoder()
        let events = try (sse.decode(buffer) + sse.finish()).compactMap { JSONValue(parsing: $0.data) }
        let added = events.filter { $0["type"] == .string("response.output_item.added") }.compactMap { $0["output_index"] }
        let done = events.filter { $0["type"] == .string("response.output_item.done") }.compactMap { $0["output_index"] }
        #expect(added == [.integer(0), .integer(1), .integer(2)])
        #expect(done == added)
        let text = events.filter { $0["type"] == .string("response.output_text.delta") }.compactMap { $0["delta"]?.stringValue }.joined()
        #expect(text == "Hello")
        let completed = try #require(events.last)
        #expect(completed["type"] == .string("response.completed"))
        #expect(completed["response"]?["usage"]?["input_tokens_details"]?["cached_tokens"] == .integer(1))
        #expect(completed["response"]?["output"]?.arrayValue?.count == 3)
        #expect(encoder.finished?.id == "resp_1")
    }

    @Test("Each delta names its item, output index and part, and every event's sequence number is the next one")
    func streamEncoderDeltas() throws {
        let echo = ResponsesEncoding.Echo(request: try request(#"{"model":"m","input":"hi"}"#), customTools: [])
        var encoder = ResponsesStreamEncoder(responseID: "resp_1", echo: echo)
        var buffer = ByteBuffer()
        for event in [
            LLMStreamEvent.reasoning("r1"), .reasoning("r2"), .text("He\"l"), .text("lo"), .toolCallStarted(index: 0, id: "c", name: "f"),
            .toolCallArguments(index: 0, fragment: "{\"a\""), .toolCallArguments(index: 0, fragment: ":1}"),
        ] {
            encoder.append(event, to: &buffer)
        }
        encoder.finish(to: &buffer)
        var sse = SSEDecoder()
        let decoded = try sse.decode(buffer) + sse.finish()
        let events = decoded.compactMap { JSONValue(parsing: $0.data) }
        #expect(events.count == decoded.count)
        #expect(decoded.map(\.event) == events.map { $0["type"]?.stringValue })
        #expect(events.compactMap { $0["sequence_number"] } == (0..<events.count).map { .integer($0) })
        var ids: [String: JSONValue] = [:]  // item type → the id its output_item.added gave it
        for event in events where event["type"] == .string("response.output_item.added") {
            if let id = event["item"]?["id"], let kind = event["item"]?["type"]?.stringValue { ids[kind] = id }
        }
        let reasoning = events.filter { $0["type"] == .string("response.reasoning_summary_text.delta") }
        #expect(reasoning.map { $0["delta"] } == [.string("r1"), .string("r2")])
        #expect(reasoning.allSatisfy { $0["item_id"] == ids["reasoning"] && $0["output_index"] == .integer(0) && $0["summary_index"] == .integer(0) })
        let text = events.filter { $0["type"] == .string("response.output_text.delta") }
        #expect(text.map { $0["delta"] } == [.string("He\"l"), .string("lo")])
        #expect(text.allSatisfy {
            $0["item_id"] == ids["message"] && $0["output_index"] == .integer(1) && $0["content_index"] == .integer(0)
                && $0["logprobs"] == .array([])
        })
        let arguments = events.filter { $0["type"] == .string("response.function_call_arguments.delta") }
        #expect(arguments.map { $0["delta"] } == [.string("{\"a\""), .string(":1}")])
        #expect(arguments.allSatisfy { $0["item_id"] == ids["function_call"] && $0["output_index"] == .integer(2) })
        // The items as done hold the deltas joined.
        let output = try #require(encoder.finished?.output)
        guard output.count == 3, case .reasoning(let summary) = output[0], case .message(let message) = output[1],
            case .functionCall(let call) = output[2]
        else {
            Issue.record("unexpected output \(output)")
            return
        }
        #expect(summary.summary == ["r1r2"])
        #expect(message.content.map(\.text) == ["He\"llo"])
        #expect(call.arguments == "{\"a\":1}")
    }
}
