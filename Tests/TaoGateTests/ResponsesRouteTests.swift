import Foundation
import LLMClient
import MockUpstream
import NIOCore
import Testing

@testable import TaoGate

private func responseEvents(_ response: TestResponse) -> [JSONValue] {
    response.events.compactMap { JSONValue(parsing: $0.data) }
}

private func decodeResponse(_ response: TestResponse) throws -> ResponsesResponse {
    try JSONDecoder().decode(ResponsesResponse.self, from: Data(response.body.utf8))
}

@Suite("POST /v1/responses to a provider that speaks the Responses API")
struct NativeResponsesTests {
    static let request =
        #"{"model":"gpt-4o","instructions":"Be brief.","input":[{"role":"user","content":"Hello there"}],"prompt_cache_key":"abc","include":["reasoning.encrypted_content"]}"#

    @Test("The body reaches the provider as sent, and the answer comes back as it was, with its usage recorded")
    func passesThrough() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/v1/responses", json: Self.request)
            #expect(response.status == 200)
            let received = try #require(gateway.mock.received.first)
            #expect(received.path == "/v1/responses")
            #expect(JSONValue(parsing: received.body) == JSONValue(parsing: Self.request))
            let answer = try decodeResponse(response)
            let sent = try #require(gateway.mock.responsesRequests.first)
            #expect(answer.outputText == MockReply.text(for: sent))
            let line = try #require(try await gateway.requestLogLines().first)
            #expect(line["prompt_tokens"] as? Int == MockReply.usage(for: sent).inputTokens)
            #expect(line["translated_to"] == nil)
        }
    }

    @Test("A native stream is relayed event for event and ends after response.completed")
    func streamIsRelayed() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/v1/responses", json: #"{"model":"gpt-4o","stream":true,"input":"Hello there"}"#)
            let events = responseEvents(response)
            #expect(events.first?["type"] == .string("response.created"))
            #expect(events.last?["type"] == .string("response.completed"))
            let line = try #require(try await gateway.requestLogLines().first)
            #expect((line["completion_tokens"] as? Int ?? 0) > 0)
        }
    }

    @Test("A native stream cut after its first byte ends with response.failed for the same response, after its last sequence number")
    func nativeMidStreamFailureKeepsTheResponse() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(cutAfterChunks: 2))
            let response = try await gateway.post("/v1/responses", json: #"{"model":"gpt-4o","stream":true,"input":"a b c d e"}"#)
            let events = responseEvents(response)
            let last = try #require(events.last)
            #expect(last["type"] == .string("response.failed"))
            let created = try #require(events.first { $0["type"] == .string("response.created") })
            #expect(last["response"]?["id"] == created["response"]?["id"])
            let sequence = events.dropLast().compactMap { event -> Int? in
                if case .integer(let number) = event["sequence_number"] { return number }
                return nil
            }
            #expect(last["sequence_number"] == .integer((sequence.max() ?? -1) + 1))
        }
    }

    @Test("A native provider's response is read, continued and deleted by the key that made it, and by no other")
    func nativeResponsesBelongToTheirKey() async throws {
        let one = "tg-native-responses-one-aaaaaaaaaaaaaa"
        let two = "tg-native-responses-two-bbbbbbbbbbbbbb"
        try await LiveGateway.run(["TAOGATE_API_KEYS": "\(one),\(two)"]) { gateway in
            let created = try decodeResponse(
                try await gateway.post("/v1/responses", json: #"{"model":"gpt-4o","input":"keep this"}"#, headers: [("x-api-key", one)])
            )
            #expect(try await gateway.get("/v1/responses/\(created.id)", headers: [("x-api-key", one)]).status == 200)
            #expect(try await gateway.get("/v1/responses/\(created.id)", headers: [("x-api-key", two)]).status == 404)
            let continued = try await gateway.post(
                "/v1/responses",
                json: #"{"model":"gpt-4o","previous_response_id":"\#(created.id)","input":"more"}"#,
                headers: [("x-api-key", two)]
            )
            #expect(continued.status == 400)
            let refused = try await TestResponse.send(.DELETE, gateway.url + "/v1/responses/\(created.id)", headers: [("x-api-key", two)])
            #expect(refused.status == 404)
            let deleted = try await TestResponse.send(.DELETE, gateway.url + "/v1/responses/\(created.id)", headers: [("x-api-key", one)])
            #expect(deleted.json["deleted"] as? Bool == true)
            #expect(try await gateway.get("/v1/responses/\(created.id)", headers: [("x-api-key", one)]).status == 404)
        }
    }

    @Test("A native response continues with previous_response_id for the key that made it")
    func nativePreviousResponseContinues() async throws {
        try await LiveGateway.run { gateway in
            let first = try decodeResponse(try await gateway.post("/v1/responses", json: #"{"model":"gpt-4o","input":"My name is Ann"}"#))
            let second = try await gateway.post(
                "/v1/responses",
                json: #"{"model":"gpt-4o","previous_response_id":"\#(first.id)","input":"What is my name?"}"#
            )
            #expect(second.status == 200)
            let sent = try #require(gateway.mock.responsesRequests.last)
            #expect(sent.previousResponseID == first.id)
        }
    }
}

@Suite("POST /v1/responses to a chat provider, translated")
struct TranslatedResponsesTests {
    static let chatOnly = ["TAOTOKEN_APIS": "chat"]
    static let tools =
        #"[{"type":"web_search"},{"type":"function","name":"exec_command","parameters":{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"]}}]"#

    @Test("instructions and the input become chat messages, and the answer a response with output_text")
    func plainIsTranslated() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let response = try await gateway.post(
                "/v1/responses",
                json:
                    #"{"model":"gpt-4o","instructions":"Be brief.","max_output_tokens":50,"input":[{"role":"developer","content":"Speak plainly."},{"role":"user","content":[{"type":"input_text","text":"Hello there"}]}]}"#
            )
            #expect(response.status == 200)
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(sent.messages.map(\.role) == ["system", "user"])
            #expect(sent.messages[0].text == "Be brief.\n\nSpeak plainly.")
            #expect(sent.maxTokens == 50)
            let answer = try decodeResponse(response)
            #expect(answer.status == "completed")
            #expect(answer.outputText == MockReply.text(for: sent))
            let reported = MockReply.usage(for: sent)
            #expect(answer.usage?.inputTokens == reported.promptTokens)
            #expect(answer.usage?.cachedTokens == reported.cachedTokens)
        }
    }

    @Test("Hosted tools are left out of the chat request and named in the log line")
    func hostedToolsAreDropped() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let response = try await gateway.post("/v1/responses", json: #"{"model":"gpt-4o","tools":\#(Self.tools),"input":"list files"}"#)
            #expect(response.status == 200)
            #expect(gateway.mock.chatRequests.first?.tools?.compactMap(\.function?.name) == ["exec_command"])
            let line = try #require(try await gateway.requestLogLines().first)
            #expect((line["dropped"] as? [String])?.contains("tool web_search") == true)
        }
    }

    @Test("A tool_choice that forces a hosted tool is refused with 400")
    func forcedHostedToolIsRefused() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let response = try await gateway.post(
                "/v1/responses",
                json: #"{"model":"gpt-4o","tools":\#(Self.tools),"tool_choice":{"type":"web_search"},"input":"news"}"#
            )
            #expect(response.status == 400)
            #expect(((response.json["error"] as? [String: Any])?["message"] as? String)?.contains("web_search") == true)
            #expect(gateway.mock.chatRequestCount == 0)
        }
    }

    @Test("A function call and its output round-trip with the same call id, statelessly as Codex sends them")
    func functionCallLoop() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let first = try decodeResponse(
                try await gateway.post("/v1/responses", json: #"{"model":"gpt-4o","store":false,"tools":\#(Self.tools),"input":"list files"}"#)
            )
            guard case .functionCall(let call) = try #require(first.output.first) else {
                Issue.record("no function call: \(first.output)")
                return
            }
            let callJSON = String(decoding: try JSONEncoder().encode(ResponsesItem.functionCall(call)), as: UTF8.self)
            let second = try await gateway.post(
                "/v1/responses",
                json:
                    #"{"model":"gpt-4o","store":false,"tools":\#(Self.tools),"input":[{"role":"user","content":"list files"},\#(callJSON),{"type":"function_call_output","call_id":"\#(call.callID)","output":"a.txt b.txt"}]}"#
            )
            let sent = try #require(gateway.mock.chatRequests.last)
            #expect(sent.messages.map(\.role) == ["user", "assistant", "tool"])
            #expect(sent.messages[1].toolCalls?.first?.id == call.callID)
            #expect(sent.messages[2].toolCallID == call.callID)
            #expect(try decodeResponse(second).outputText.contains("a.txt b.txt"))
        }
    }

    @Test("A translated stream has every event Codex needs, with sequence numbers in order")
    func streamEvents() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let response = try await gateway.post(
                "/v1/responses",
                json: #"{"model":"gpt-4o","stream":true,"tools":\#(Self.tools),"input":"list files"}"#
            )
            let events = responseEvents(response)
            let types = events.compactMap { $0["type"]?.stringValue }
            #expect(types.first == "response.created")
            #expect(types.last == "response.completed")
            #expect(types.contains("response.output_item.added"))
            #expect(types.contains("response.function_call_arguments.done"))
            #expect(types.contains("response.output_item.done"))
            let numbers = events.compactMap { event -> Int? in if case .integer(let n) = event["sequence_number"] { n } else { nil } }
            #expect(numbers == Array(0..<events.count))
            let done = try #require(events.first { $0["type"] == .string("response.output_item.done") })
            #expect(done["item"]?["type"] == .string("function_call"))
            let completed = try #require(events.last?["response"])
            let sent = try #require(gateway.mock.chatRequests.first)
            guard case .integer(let input) = completed["usage"]?["input_tokens"] else {
                Issue.record("no usage in response.completed")
                return
            }
            #expect(input == MockReply.usage(for: sent).promptTokens)
        }
    }

    @Test("A stream cut after its first byte ends with response.failed")
    func midStreamFailure() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            gateway.mock.inject(MockFault(cutAfterChunks: 2))
            let response = try await gateway.post("/v1/responses", json: #"{"model":"gpt-4o","stream":true,"input":"a b c d e"}"#)
            let last = try #require(responseEvents(response).last)
            #expect(last["type"] == .string("response.failed"))
            #expect(last["response"]?["status"] == .string("failed"))
        }
    }

    @Test("previous_response_id continues a conversation from TaoGate's store")
    func previousResponseContinues() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let first = try decodeResponse(try await gateway.post("/v1/responses", json: #"{"model":"gpt-4o","input":"My name is Ann"}"#))
            let second = try await gateway.post(
                "/v1/responses",
                json: #"{"model":"gpt-4o","previous_response_id":"\#(first.id)","input":"What is my name?"}"#
            )
            #expect(second.status == 200)
            let sent = try #require(gateway.mock.chatRequests.last)
            #expect(sent.messages.map(\.role) == ["user", "assistant", "user"])
            #expect(sent.messages[0].text == "My name is Ann")
            #expect(try decodeResponse(second).previousResponseID == first.id)
        }
    }

    @Test("An unknown previous_response_id is 400 previous_response_not_found")
    func unknownPreviousResponse() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let response = try await gateway.post("/v1/responses", json: #"{"model":"gpt-4o","previous_response_id":"resp_nope","input":"hi"}"#)
            #expect(response.status == 400)
            #expect((response.json["error"] as? [String: Any])?["code"] as? String == "previous_response_not_found")
        }
    }

    @Test("A stored response is read and deleted by the key that made it, and by no other")
    func storedResponsesAreScopedToTheirKey() async throws {
        let one = "tg-responses-key-one-aaaaaaaaaaaaaaaaa"
        let two = "tg-responses-key-two-bbbbbbbbbbbbbbbbb"
        try await LiveGateway.run(["TAOTOKEN_APIS": "chat", "TAOGATE_API_KEYS": "\(one),\(two)"]) { gateway in
            let created = try decodeResponse(
                try await gateway.post("/v1/responses", json: #"{"model":"gpt-4o","input":"keep this"}"#, headers: [("x-api-key", one)])
            )
            let mine = try await gateway.get("/v1/responses/\(created.id)", headers: [("x-api-key", one)])
            #expect(mine.status == 200)
            #expect(try decodeResponse(mine).outputText == created.outputText)
            #expect(try await gateway.get("/v1/responses/\(created.id)", headers: [("x-api-key", two)]).status == 404)
            let continued = try await gateway.post(
                "/v1/responses",
                json: #"{"model":"gpt-4o","previous_response_id":"\#(created.id)","input":"more"}"#,
                headers: [("x-api-key", two)]
            )
            #expect(continued.status == 400)
            let deleted = try await TestResponse.send(.DELETE, gateway.url + "/v1/responses/\(created.id)", headers: [("x-api-key", one)])
            #expect(deleted.json["deleted"] as? Bool == true)
            #expect(try await gateway.get("/v1/responses/\(created.id)", headers: [("x-api-key", one)]).status == 404)
        }
    }

    @Test("With store: false nothing is kept")
    func storeFalseKeepsNothing() async throws {
        try await LiveGateway.run(Self.chatOnly) { gateway in
            let created = try decodeResponse(
                try await gateway.post("/v1/responses", json: #"{"model":"gpt-4o","store":false,"input":"forget this"}"#)
            )
            #expect(try await gateway.get("/v1/responses/\(created.id)").status == 404)
        }
    }
}

@Suite("POST /v1/embeddings")
struct EmbeddingsRouteTests {
    static let withEmbeddings: @Sendable ([String]) -> String = { urls in
        "providers:\n  - name: vectors\n    base_url: \(urls[0])\n    keys: [{ env: TEST_UPSTREAM_KEY }]\n    apis: [chat, embeddings]\n"
    }

    @Test("Embeddings go to a provider that serves them, with their usage recorded")
    func embeddingsPassThrough() async throws {
        try await LiveGateway.run(mocks: 1, providers: Self.withEmbeddings) { gateway, mocks in
            let body = #"{"model":"text-embedding-3-small","input":["one two","three"],"encoding_format":"float"}"#
            let response = try await gateway.post("/v1/embeddings", json: body)
            #expect(response.status == 200)
            #expect(JSONValue(parsing: try #require(mocks[0].received.first?.body)) == JSONValue(parsing: body))
            let decoded = try JSONDecoder().decode(EmbeddingsResponse.self, from: Data(response.body.utf8))
            #expect(decoded.data.count == 2)
            #expect(decoded.data[0].embedding.map { Float($0) } == MockReply.embedding(of: "one two", dimensions: 8))
            let line = try #require(try await gateway.requestLogLines().first)
            #expect(line["prompt_tokens"] as? Int == decoded.usage?.promptTokens)
        }
    }

    @Test("A model whose provider serves no embeddings gets 404 and nothing is forwarded")
    func noEmbeddingsIs404() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/v1/embeddings", json: #"{"model":"gpt-4o","input":"x"}"#)
            #expect(response.status == 404)
            #expect((response.json["error"] as? [String: Any])?["message"] as? String != nil)
            #expect(gateway.mock.received.isEmpty)
        }
    }
}
