import Foundation
import LLMClient
import MockUpstream
import NIOCore
import Testing

@testable import TaoGate

private func jsonObject(_ text: String) -> NSDictionary? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? NSDictionary
}

/// The events of an Anthropic stream, decoded.
private func messageEvents(_ response: TestResponse) throws -> [MessagesStreamEvent] {
    try response.events.map { try JSONDecoder().decode(MessagesStreamEvent.self, from: Data($0.data.utf8)) }
}

private func streamedText(_ events: [MessagesStreamEvent]) -> String {
    events.compactMap { event -> String? in
        if case .contentBlockDelta(_, .text(let text)) = event { return text }
        return nil
    }.joined()
}

@Suite("POST /v1/messages to a provider that speaks Anthropic's API")
struct NativeMessagesTests {
    static let request = """
        {"model":"claude-sonnet-4-6","max_tokens":256,"top_k":3,"context_management":{"edits":[]},\
        "system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],\
        "messages":[{"role":"user","content":"first"},{"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"text","text":"Hello there"}]}]}
        """

    @Test("The body reaches the provider as sent, with the client's anthropic-* headers and never its key")
    func bodyAndHeadersPassThrough() async throws {
        try await LiveGateway.run(["TAOGATE_API_KEYS": "tg-client-key-0123456789abcdef0123"]) { gateway in
            let response = try await gateway.post(
                "/v1/messages?beta=true",
                json: Self.request,
                headers: [
                    ("x-api-key", "tg-client-key-0123456789abcdef0123"), ("anthropic-version", "2023-06-01"),
                    ("anthropic-beta", "context-management-2025-06-27,fine-grained-tool-streaming-2025-05-14"),
                ]
            )
            #expect(response.status == 200)
            let received = try #require(gateway.mock.received.first)
            #expect(received.path == "/v1/messages")
            #expect(jsonObject(received.body) == jsonObject(Self.request))
            #expect(received.headers["anthropic-beta"] == "context-management-2025-06-27,fine-grained-tool-streaming-2025-05-14")
            #expect(received.headers["anthropic-version"] == "2023-06-01")
            #expect(received.headers["authorization"] == "Bearer \(testUpstreamKey)")
            #expect(!received.headers.values.contains { $0.contains("tg-client-key") })
        }
    }

    @Test("The answer is relayed as the provider sent it, and its usage, cache included, is recorded")
    func answerAndUsage() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/v1/messages", json: Self.request)
            let message = try JSONDecoder().decode(MessagesResponse.self, from: Data(response.body.utf8))
            let sent = try #require(gateway.mock.messagesRequests.first)
            let reported = MockReply.usage(for: sent, marksCache: true)
            #expect(message.text == MockReply.text(for: sent))
            #expect(message.usage == reported)
            let line = try #require(try await gateway.requestLogLines().first)
            #expect(
                line["prompt_tokens"] as? Int == (reported.inputTokens ?? 0) + (reported.cacheReadInputTokens ?? 0)
                    + (reported.cacheCreationInputTokens ?? 0)
            )
            #expect(line["cache_read_tokens"] as? Int == reported.cacheReadInputTokens)
            #expect(line["cache_write_tokens"] as? Int == reported.cacheCreationInputTokens)
            #expect(line["translated_to"] == nil)
        }
    }

    @Test("A stream is relayed event for event, and the usage of message_start and message_delta is recorded")
    func streamIsRelayed() async throws {
        try await LiveGateway.run { gateway in
            let body = Self.request.replacingOccurrences(of: #""max_tokens":256"#, with: #""max_tokens":256,"stream":true"#)
            let response = try await gateway.post("/v1/messages", json: body)
            #expect(response.header("Content-Type")?.hasPrefix("text/event-stream") == true)
            let events = try messageEvents(response)
            #expect(response.events.map(\.event) == events.map(\.name))
            #expect(events.first?.name == "message_start")
            #expect(events.last == .messageStop)
            let sent = try #require(gateway.mock.messagesRequests.first)
            #expect(streamedText(events) == MockReply.text(for: sent))
            let reported = MockReply.usage(for: sent, marksCache: true)
            let line = try #require(try await gateway.requestLogLines().first)
            #expect(line["completion_tokens"] as? Int == reported.outputTokens)
            #expect(line["cache_read_tokens"] as? Int == reported.cacheReadInputTokens)
        }
    }

    @Test("count_tokens goes to a provider that serves it")
    func countTokensIsNative() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post(
                "/v1/messages/count_tokens?beta=true",
                json: #"{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"count these four words"}]}"#
            )
            #expect(response.status == 200)
            #expect(gateway.mock.received.last?.path == "/v1/messages/count_tokens")
            let sent = try JSONDecoder().decode(MessagesRequest.self, from: Data(try #require(gateway.mock.received.last?.body).utf8))
            let prompt = MockPrompt(messages: sent)
            #expect(response.json["input_tokens"] as? Int == prompt.prefixWords + prompt.lastWords)
        }
    }

    @Test(
        "The provider's failures come back in Anthropic's shape with the statuses its SDK maps",
        arguments: [(429, 429, "rate_limit_error"), (529, 529, "overloaded_error"), (503, 502, "api_error")]
    )
    func upstreamFailures(upstream: Int, expected: Int, type: String) async throws {
        try await LiveGateway.run(["UPSTREAM_MAX_RETRIES": "0"]) { gateway in
            gateway.mock.inject(MockFault(status: upstream, retryAfter: upstream == 429 ? "1" : nil))
            let response = try await gateway.post("/v1/messages", json: Self.request)
            #expect(response.status == expected)
            #expect(response.json["type"] as? String == "error")
            #expect((response.json["error"] as? [String: Any])?["type"] as? String == type)
            if upstream == 429 { #expect(response.header("Retry-After") != nil) }
        }
    }

    @Test("A stream cut after its first byte ends with an error event in Anthropic's shape")
    func midStreamFailure() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(cutAfterChunks: 2))
            let body = Self.request.replacingOccurrences(of: #""max_tokens":256"#, with: #""max_tokens":256,"stream":true"#)
            let response = try await gateway.post("/v1/messages", json: body)
            let last = try #require(response.events.last)
            #expect(last.event == "error")
            #expect(jsonObject(last.data)?["type"] as? String == "error")
            #expect((jsonObject(last.data)?["error"] as? NSDictionary)?["type"] as? String == "api_error")
        }
    }
}

@Suite("POST /v1/messages to a chat provider, translated")
struct TranslatedMessagesTests {
    static let chatOnly = ["TAOTOKEN_APIS": "chat"]
    static let tools =
        #"[{"name":"Bash","description":"Run a command","input_schema":{"type":"object","properties":{"command":{"type":"string"},"timeout":{"type":"integer","minimum":1}},"required":["command"]}}]"#

    @Test("The request reaches the provider as chat, and the answer comes back as a message")
    func plainIsTranslated() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let response = try await gateway.post(
                "/v1/messages",
                json:
                    #"{"model":"gpt-4o","max_tokens":100,"system":"Be brief.","stop_sequences":["END"],"messages":[{"role":"user","content":"Hello there"}]}"#
            )
            #expect(response.status == 200)
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(sent.messages.map(\.role) == ["system", "user"])
            #expect(sent.messages.map(\.text) == ["Be brief.", "Hello there"])
            #expect(sent.maxTokens == 100)
            #expect(sent.stop == ["END"])
            let message = try JSONDecoder().decode(MessagesResponse.self, from: Data(response.body.utf8))
            #expect(message.text == MockReply.text(for: sent))
            #expect(message.stopReason == "end_turn")
            let reported = MockReply.usage(for: sent)
            #expect(message.usage.inputTokens == reported.promptTokens - (reported.cachedTokens ?? 0))
            #expect(message.usage.outputTokens == reported.completionTokens)
            let line = try #require(try await gateway.requestLogLines().first)
            #expect(line["translated_to"] as? String == "chat")
        }
    }

    @Test("A translated stream opens with an input estimate and ends with the provider's exact counts")
    func streamIsTranslated() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let response = try await gateway.post(
                "/v1/messages",
                json:
                    #"{"model":"gpt-4o","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"one"},{"role":"assistant","content":"two"},{"role":"user","content":"Hello there friend"}]}"#
            )
            let events = try messageEvents(response)
            #expect(response.events.map(\.event) == events.map(\.name))
            guard case .messageStart(let start) = events.first else {
                Issue.record("the stream does not open with message_start")
                return
            }
            #expect((start.usage.inputTokens ?? 0) > 0)
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(sent.streamOptions?.includeUsage == true)
            #expect(streamedText(events) == MockReply.text(for: sent))
            let reported = MockReply.usage(for: sent)
            guard case .messageDelta(let stopReason, _, let usage) = events[events.count - 2] else {
                Issue.record("no message_delta before message_stop")
                return
            }
            #expect(stopReason == "end_turn")
            #expect(usage?.outputTokens == reported.completionTokens)
            #expect(usage?.cacheReadInputTokens == reported.cachedTokens)
            #expect(usage?.inputTokens == reported.promptTokens - (reported.cachedTokens ?? 0))
        }
    }

    @Test("A tool call and its result round-trip through a chat provider with the same ids")
    func toolLoopRoundTrips() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let first = try await gateway.post(
                "/v1/messages",
                json: #"{"model":"gpt-4o","max_tokens":100,"tools":\#(Self.tools),"messages":[{"role":"user","content":"list files"}]}"#
            )
            let call = try JSONDecoder().decode(MessagesResponse.self, from: Data(first.body.utf8))
            #expect(call.stopReason == "tool_use")
            guard case .toolUse(let id, let name, let input) = try #require(call.content.first) else {
                Issue.record("the answer is not a tool call: \(first.body)")
                return
            }
            #expect(name == "Bash")
            #expect(input["command"]?.stringValue != nil)
            let callText = String(decoding: try JSONEncoder().encode(call.content), as: UTF8.self)
            let second = try await gateway.post(
                "/v1/messages",
                json:
                    #"{"model":"gpt-4o","max_tokens":100,"tools":\#(Self.tools),"messages":[{"role":"user","content":"list files"},{"role":"assistant","content":\#(callText)},{"role":"user","content":[{"type":"tool_result","tool_use_id":"\#(id)","content":"a.txt b.txt"}]}]}"#
            )
            #expect(second.status == 200)
            let sent = try #require(gateway.mock.chatRequests.last)
            #expect(sent.messages.map(\.role) == ["user", "assistant", "tool"])
            #expect(sent.messages[1].toolCalls?.first?.id == id)
            #expect(sent.messages[2].toolCallID == id)
            #expect(sent.messages[2].text == "a.txt b.txt")
            let answer = try JSONDecoder().decode(MessagesResponse.self, from: Data(second.body.utf8))
            #expect(answer.text == MockReply.text(for: sent))
            #expect(answer.text.contains("a.txt b.txt"))
        }
    }

    @Test("A streamed tool call arrives as a tool_use block whose input fragments make its arguments")
    func streamedToolCall() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let response = try await gateway.post(
                "/v1/messages",
                json: #"{"model":"gpt-4o","max_tokens":100,"stream":true,"tools":\#(Self.tools),"messages":[{"role":"user","content":"list files"}]}"#
            )
            let events = try messageEvents(response)
            let fragments = events.compactMap { event -> String? in
                if case .contentBlockDelta(_, .inputJSON(let json)) = event { return json }
                return nil
            }.joined()
            let sent = try #require(gateway.mock.chatRequests.first)
            guard case .toolCall(_, _, let arguments) = MockReply.answer(for: MockPrompt(chat: sent)) else {
                Issue.record("the mock did not call a tool")
                return
            }
            #expect(JSONValue(parsing: fragments) == JSONValue(parsing: arguments))
            #expect(events.contains { if case .messageDelta("tool_use", _, _) = $0 { true } else { false } })
        }
    }

    @Test("Thinking becomes reasoning_content and comes back as a thinking block; it is passed back on tool-call turns")
    func thinkingRoundTrips() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let first = try await gateway.post(
                "/v1/messages",
                json:
                    #"{"model":"deepseek-v3","max_tokens":20000,"thinking":{"type":"enabled","budget_tokens":10000},"tools":\#(Self.tools),"messages":[{"role":"user","content":"list files"}]}"#
            )
            #expect(gateway.mock.chatRequests.first?.reasoningEffort == "medium")
            let answer = try JSONDecoder().decode(MessagesResponse.self, from: Data(first.body.utf8))
            guard case .thinking(let thinking, _) = try #require(answer.content.first), case .toolUse(let id, _, _) = answer.content.last else {
                Issue.record("expected thinking then a tool call: \(first.body)")
                return
            }
            let content = String(decoding: try JSONEncoder().encode(answer.content), as: UTF8.self)
            let second = try await gateway.post(
                "/v1/messages",
                json:
                    #"{"model":"deepseek-v3","max_tokens":20000,"thinking":{"type":"enabled","budget_tokens":10000},"tools":\#(Self.tools),"messages":[{"role":"user","content":"list files"},{"role":"assistant","content":\#(content)},{"role":"user","content":[{"type":"tool_result","tool_use_id":"\#(id)","content":"done"}]}]}"#
            )
            // The mock, like DeepSeek, refuses a tool-call turn whose reasoning is not sent back.
            #expect(second.status == 200)
            #expect(gateway.mock.chatRequests.last?.messages[1].reasoningContent == thinking)
        }
    }

    @Test("A server tool cannot be given to a chat provider: 400 naming it, and nothing is forwarded")
    func serverToolIsRefused() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let response = try await gateway.post(
                "/v1/messages",
                json:
                    #"{"model":"gpt-4o","max_tokens":100,"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":3}],"messages":[{"role":"user","content":"news?"}]}"#
            )
            #expect(response.status == 400)
            #expect((response.json["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")
            #expect(((response.json["error"] as? [String: Any])?["message"] as? String)?.contains("web_search_20250305") == true)
            #expect(gateway.mock.chatRequestCount == 0)
        }
    }

    @Test("count_tokens without a provider that serves it is a local estimate")
    func countTokensIsEstimated() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let response = try await gateway.post(
                "/v1/messages/count_tokens",
                json: #"{"model":"gpt-4o","system":"Be brief.","messages":[{"role":"user","content":"count these words please"}]}"#
            )
            #expect(response.status == 200)
            #expect((response.json["input_tokens"] as? Int ?? 0) > 0)
            #expect(gateway.mock.received.isEmpty)
        }
    }
}

@Suite("Anthropic's shape for the gateway's own refusals")
struct MessagesErrorTests {
    @Test("An unknown model is 404 not_found_error")
    func unknownModel() async throws {
        let providers: @Sendable ([String]) -> String = { urls in
            "providers:\n  - name: only\n    base_url: \(urls[0])\n    keys: [{ env: TEST_UPSTREAM_KEY }]\n    models: [claude-sonnet-4-6]\n    apis: [messages]\n"
        }
        try await LiveGateway.run(mocks: 1, providers: providers) { gateway, mocks in
            let response = try await gateway.post(
                "/v1/messages",
                json: #"{"model":"nope","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#
            )
            #expect(response.status == 404)
            #expect((response.json["error"] as? [String: Any])?["type"] as? String == "not_found_error")
            #expect(mocks[0].received.isEmpty)
        }
    }

    @Test("A missing client key is 401 authentication_error; x-api-key and Bearer both work")
    func clientKeys() async throws {
        let key = "tg-client-key-0123456789abcdef0123"
        try await LiveGateway.run(["TAOGATE_API_KEYS": key]) { gateway in
            let body = #"{"model":"claude-sonnet-4-6","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#
            let denied = try await gateway.post("/v1/messages", json: body)
            #expect(denied.status == 401)
            #expect((denied.json["error"] as? [String: Any])?["type"] as? String == "authentication_error")
            #expect(try await gateway.post("/v1/messages", json: body, headers: [("x-api-key", key)]).status == 200)
            #expect(try await gateway.post("/v1/messages", json: body, headers: [("Authorization", "Bearer \(key)")]).status == 200)
        }
    }

    @Test(
        "A body that is not a messages request is 400 invalid_request_error",
        arguments: ["{not json", #"{"model":"m"}"#, #"{"model":"m","messages":[]}"#, #"{"max_tokens":1,"messages":[{"role":"user","content":"x"}]}"#]
    )
    func invalidBodies(body: String) async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/v1/messages", json: body)
            #expect(response.status == 400)
            #expect((response.json["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")
            #expect(gateway.mock.received.isEmpty)
        }
    }

    @Test("A chat provider's 529 reaches an Anthropic client as 529 overloaded_error")
    func translated529IsOverloaded() async throws {
        try await LiveGateway.run(["TAOTOKEN_APIS": "chat", "UPSTREAM_MAX_RETRIES": "0"]) { gateway in
            gateway.mock.inject(MockFault(status: 529))
            let response = try await gateway.post(
                "/v1/messages",
                json: #"{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#
            )
            #expect(response.status == 529)
            #expect((response.json["error"] as? [String: Any])?["type"] as? String == "overloaded_error")
        }
    }

    @Test("An unknown /v1 route answers 404 in OpenAI's shape")
    func unknownV1RouteIsOpenAIShaped() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.get("/v1/no-such-route")
            #expect(response.status == 404)
            #expect((response.json["error"] as? [String: Any])?["message"] != nil)
        }
    }
}

@Suite("Chat clients of a provider that speaks only Anthropic's API")
struct ReverseTranslationTests {
    static let anthropicOnly: @Sendable ([String]) -> String = { urls in
        """
        providers:
          - name: anthropic
            base_url: \(urls[0])
            keys: [{ env: TEST_UPSTREAM_KEY }]
            apis: [messages]
            auth: x-api-key
        """
    }

    @Test("/v1/chat/completions is translated to a message and back, with the key as x-api-key")
    func chatCompletionIsTranslated() async throws {
        try await LiveGateway.run(mocks: 1, providers: Self.anthropicOnly) { gateway, mocks in
            let response = try await gateway.post(
                "/v1/chat/completions",
                json: #"{"model":"claude-sonnet-4-6","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello there"}]}"#
            )
            #expect(response.status == 200)
            let sent = try #require(mocks[0].messagesRequests.first)
            #expect(sent.system == .text("Be brief."))
            #expect(sent.maxTokens == MessagesEncoding.defaultMaxTokens)
            #expect(mocks[0].received.first?.headers["x-api-key"] == testUpstreamKey)
            #expect(mocks[0].received.first?.headers["anthropic-version"] == AnthropicCompatibleProvider.apiVersion)
            let completion = try JSONDecoder().decode(ChatCompletionResponse.self, from: Data(response.body.utf8))
            #expect(completion.text == MockReply.text(for: sent))
            let reported = MockReply.usage(for: sent, marksCache: false)
            #expect(completion.usage?.promptTokens == (reported.inputTokens ?? 0) + (reported.cacheReadInputTokens ?? 0))
            #expect(completion.usage?.cachedTokens == reported.cacheReadInputTokens)
        }
    }

    @Test("A chat stream from an Anthropic provider comes as chunks, with the usage chunk when asked")
    func chatStreamIsTranslated() async throws {
        try await LiveGateway.run(mocks: 1, providers: Self.anthropicOnly) { gateway, mocks in
            let response = try await gateway.post(
                "/v1/chat/completions",
                json:
                    #"{"model":"claude-sonnet-4-6","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hello there"}]}"#
            )
            #expect(response.events.last?.data == "[DONE]")
            let chunks = try response.events.dropLast().map { try JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.data.utf8)) }
            let sent = try #require(mocks[0].messagesRequests.first)
            #expect(chunks.compactMap(\.contentDelta).joined() == MockReply.text(for: sent))
            #expect(chunks.last?.usage?.completionTokens == MockReply.usage(for: sent, marksCache: false).outputTokens)
        }
    }

    @Test("A chat client's tool loop works against an Anthropic provider")
    func chatToolLoop() async throws {
        try await LiveGateway.run(mocks: 1, providers: Self.anthropicOnly) { gateway, mocks in
            let tools =
                #"[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}}}]"#
            let first = try await gateway.post(
                "/v1/chat/completions",
                json: #"{"model":"claude-sonnet-4-6","tools":\#(tools),"messages":[{"role":"user","content":"find it"}]}"#
            )
            let completion = try JSONDecoder().decode(ChatCompletionResponse.self, from: Data(first.body.utf8))
            let call = try #require(completion.choices.first?.message.toolCalls?.first)
            #expect(completion.choices.first?.finishReason == "tool_calls")
            #expect(call.function.name == "lookup")
            let second = try await gateway.post(
                "/v1/chat/completions",
                json:
                    #"{"model":"claude-sonnet-4-6","tools":\#(tools),"messages":[{"role":"user","content":"find it"},{"role":"assistant","content":null,"tool_calls":[{"id":"\#(call.id)","type":"function","function":{"name":"lookup","arguments":\#(String(decoding: try JSONEncoder().encode(call.function.arguments), as: UTF8.self))}}]},{"role":"tool","tool_call_id":"\#(call.id)","content":"found: 42"}]}"#
            )
            #expect(second.status == 200)
            let sent = try #require(mocks[0].messagesRequests.last)
            #expect(sent.messages.map(\.role) == ["user", "assistant", "user"])
            #expect(sent.messages[2].content == [.toolResult(toolUseID: call.id, content: .blocks([.text("found: 42")]), isError: nil)])
            let answer = try JSONDecoder().decode(ChatCompletionResponse.self, from: Data(second.body.utf8))
            #expect(answer.text.contains("found: 42"))
        }
    }

    @Test("/api/chat reaches an Anthropic provider, with the conversation's history")
    func referenceAPIIsTranslated() async throws {
        try await LiveGateway.run(mocks: 1, providers: Self.anthropicOnly) { gateway, mocks in
            _ = try await gateway.post("/api/chat", json: #"{"message":"first","userId":"ann","model":"claude-sonnet-4-6"}"#)
            let response = try await gateway.post(
                "/api/chat",
                json: #"{"message":"second","userId":"ann","model":"claude-sonnet-4-6","system":"Be kind."}"#
            )
            #expect(response.status == 200)
            let sent = try #require(mocks[0].messagesRequests.last)
            #expect(sent.messages.map(\.role) == ["user", "assistant", "user"])
            #expect(sent.system == .text("Be kind."))
            #expect(sent.temperature == 0.7)
            #expect(sent.maxTokens == 1000)
            #expect(response.json["response"] as? String == MockReply.text(for: sent))
        }
    }
}
