import Foundation
import LLMClient
import MockUpstream
import Testing

private func jsonObject(_ text: String) -> NSDictionary? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? NSDictionary
}

@Suite("POST /v1/chat/completions")
struct OpenAIRouteTests {
    static let fullRequest = """
        {"model":"gpt-4o","messages":[{"role":"user","content":"Use the tool"}],\
        "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{}}}}],\
        "response_format":{"type":"json_object"},"seed":42,"vendor_extension":{"x":[1,2.5,"y"]}}
        """

    @Test("A plain completion reaches the upstream exactly as the client sent it")
    func plainBodyPassesThroughUntouched() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/v1/chat/completions", json: Self.fullRequest)
            #expect(response.status == 200)
            let sent = try #require(gateway.mock.chatBodies.first)
            #expect(jsonObject(sent) == jsonObject(Self.fullRequest))
        }
    }

    @Test("A plain completion is relayed as the upstream answered it")
    func plainAnswerIsRelayed() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/v1/chat/completions", json: #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#)
            let completion = try JSONDecoder().decode(ChatCompletionResponse.self, from: Data(response.body.utf8))
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(completion.text == MockReply.text(for: sent))
            #expect(completion.usage == MockReply.usage(for: sent))
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
        }
    }

    @Test("A stream relays the upstream's chunks and ends with [DONE]")
    func streamRelaysChunks() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post(
                "/v1/chat/completions",
                json: #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi there"}]}"#
            )
            #expect(response.status == 200)
            let chunks = try response.events.filter { $0.data != "[DONE]" }.map {
                try JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.data.utf8))
            }
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(chunks.compactMap(\.contentDelta).joined() == MockReply.text(for: sent))
            #expect(response.events.last?.data == "[DONE]")
        }
    }

    @Test("A stream asks the upstream for usage but hides that chunk from a client that did not ask")
    func injectedUsageChunkIsHidden() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post(
                "/v1/chat/completions",
                json: #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
            )
            #expect(gateway.mock.chatRequests.first?.streamOptions?.includeUsage == true)
            #expect(!response.body.contains("\"usage\":{"))
            let line = try #require(try await gateway.requestLogLines().first)
            #expect(line["completion_tokens"] as? Int == MockReply.usage(for: gateway.mock.chatRequests[0]).completionTokens)
        }
    }

    @Test("A client that asks for usage gets the usage chunk")
    func requestedUsageChunkIsRelayed() async throws {
        try await LiveGateway.run { gateway in
            let body = #"{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"#
            let response = try await gateway.post("/v1/chat/completions", json: body)
            #expect(response.body.contains("\"usage\":{"))
            #expect(jsonObject(gateway.mock.chatBodies[0]) == jsonObject(body))
        }
    }

    @Test(
        "Invalid requests get 400 in OpenAI's shape and are never forwarded",
        arguments: [
            "{not json",
            #"{"model":"gpt-4o"}"#,
            #"{"model":"gpt-4o","messages":"hi"}"#,
            #"{"model":"gpt-4o","messages":[]}"#,
            #"{"messages":[{"role":"user","content":"hi"}]}"#,
            #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":"yes"}"#,
        ]
    )
    func invalidRequestsAreRejected(body: String) async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/v1/chat/completions", json: body)
            #expect(response.status == 400)
            let error = try #require(response.json["error"] as? [String: Any])
            #expect(error["type"] as? String == "invalid_request_error")
            #expect((error["message"] as? String)?.isEmpty == false)
            #expect(error.keys.contains("param") && error.keys.contains("code"))
            #expect(gateway.mock.chatRequestCount == 0)
        }
    }

    @Test("Upstream failures come back in OpenAI's shape with the SDK's statuses", arguments: [(401, 401), (429, 429), (503, 502)])
    func upstreamFailuresHaveOpenAIShape(upstream: Int, expected: Int) async throws {
        try await LiveGateway.run(["UPSTREAM_MAX_RETRIES": "0"]) { gateway in
            gateway.mock.inject(MockFault(status: upstream))
            let response = try await gateway.post("/v1/chat/completions", json: #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(response.status == expected)
            #expect((response.json["error"] as? [String: Any])?["message"] != nil)
        }
    }

    @Test("A failure after the first byte ends the stream with an OpenAI error event")
    func midStreamFailureIsErrorEvent() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(cutAfterChunks: 2))
            let response = try await gateway.post(
                "/v1/chat/completions",
                json: #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"a b c d"}]}"#
            )
            let last = try #require(response.events.last)
            let error = try #require(jsonObject(last.data)?["error"] as? NSDictionary)
            #expect(error["code"] as? String == "upstream_unavailable")
        }
    }

    @Test("GET /v1/models lists models in OpenAI's list shape")
    func modelsInListShape() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.get("/v1/models")
            #expect(response.status == 200)
            #expect(response.json["object"] as? String == "list")
            let ids = (response.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == MockUpstream.models)
        }
    }

    @Test("With client keys, /v1 needs one and answers 401 in OpenAI's shape without it")
    func clientKeysGuardV1() async throws {
        try await LiveGateway.run(["TAOGATE_API_KEYS": "tg-client-key-1-cccccccccccccccccccc"]) { gateway in
            let denied = try await gateway.post("/v1/chat/completions", json: #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(denied.status == 401)
            #expect((denied.json["error"] as? [String: Any])?["code"] as? String == "invalid_api_key")
            let allowed = try await gateway.post(
                "/v1/chat/completions",
                json: #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#,
                headers: [("Authorization", "Bearer tg-client-key-1-cccccccccccccccccccc")]
            )
            #expect(allowed.status == 200)
        }
    }

    @Test("/v1/chat/completions shares the chat rate limit and carries its headers")
    func v1SharesTheRateLimit() async throws {
        try await LiveGateway.run(["RATE_LIMIT_MAX": "1"]) { gateway in
            let first = try await gateway.post("/v1/chat/completions", json: #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#)
            let second = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(first.header("RateLimit-Limit") == "1")
            #expect(second.status == 429)
        }
    }
}
