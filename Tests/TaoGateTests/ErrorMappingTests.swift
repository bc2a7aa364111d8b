import MockUpstream
import Testing

@Suite("Errors of the reference API")
struct ErrorMappingTests {
    @Test(
        "Bad bodies are rejected with 400 invalid_request and never forwarded",
        arguments: [
            "{not json",
            "[1,2]",
            #"{}"#,
            #"{"message":""}"#,
            #"{"message":"   "}"#,
            #"{"message":42}"#,
            #"{"message":null}"#,
            #"{"message":"hi","temperature":"hot"}"#,
            #"{"message":"hi","temperature":3}"#,
            #"{"message":"hi","max_tokens":0}"#,
            #"{"message":"hi","max_tokens":1.5}"#,
            #"{"message":"hi","model":""}"#,
            #"{"message":"hi","model":"gpt-4o\u0000"}"#,
            #"{"message":"hi","model":"gpt\u0085"}"#,
            #"{"message":"hi","userId":"has spaces"}"#,
            #"{"message":"hi","system":7}"#,
        ]
    )
    func badBodiesAreRejected(body: String) async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/api/chat", json: body)
            #expect(response.status == 400)
            #expect(response.json["success"] as? Bool == false)
            #expect(response.json["code"] as? String == "invalid_request")
            #expect((response.json["error"] as? String)?.isEmpty == false)
            #expect(gateway.mock.chatRequestCount == 0)
        }
    }

    @Test("A missing message gets the reference message")
    func missingMessageGetsReferenceMessage() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/api/chat", json: #"{"model":"gpt-4o"}"#)
            #expect(response.json["error"] as? String == "message is required and must be a non-empty string")
        }
    }

    @Test("A body over MAX_BODY_BYTES gets 413 payload_too_large")
    func oversizedBodyGets413() async throws {
        try await LiveGateway.run(["MAX_BODY_BYTES": "1000"]) { gateway in
            let body = #"{"message":""# + String(repeating: "a", count: 2000) + #""}"#
            let response = try await gateway.post("/api/chat", json: body)
            #expect(response.status == 413)
            #expect(response.json["code"] as? String == "payload_too_large")
            #expect(gateway.mock.chatRequestCount == 0)
        }
    }

    @Test("A body of exactly MAX_BODY_BYTES is served and one byte more gets 413")
    func bodyLimitIsExact() async throws {
        try await LiveGateway.run(["MAX_BODY_BYTES": "1000"]) { gateway in
            func body(bytes: Int) -> String {
                let start = #"{"model":"gpt-4o","messages":[{"role":"user","content":""#
                let end = #""}]}"#
                return start + String(repeating: "a", count: bytes - start.utf8.count - end.utf8.count) + end
            }
            let atLimit = try await gateway.post("/v1/chat/completions", json: body(bytes: 1000))
            let over = try await gateway.post("/v1/chat/completions", json: body(bytes: 1001))
            #expect(atLimit.status == 200)
            #expect(over.status == 413)
            #expect(gateway.mock.chatRequestCount == 1)
        }
    }

    @Test("Upstream 401 and 403 become 401 upstream_auth", arguments: [401, 403])
    func upstreamAuthFailuresBecome401(status: Int) async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(status: status))
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 401)
            #expect(response.json["code"] as? String == "upstream_auth")
        }
    }

    @Test("A wrong upstream key becomes 401 upstream_auth")
    func wrongUpstreamKeyBecomes401() async throws {
        try await LiveGateway.run(["TAOTOKEN_API_KEY": "sk-wrong-key-000000000000"]) { gateway in
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 401)
            #expect(response.json["code"] as? String == "upstream_auth")
        }
    }

    @Test("Upstream 429 after retries becomes 429 rate_limited with Retry-After")
    func upstream429Becomes429() async throws {
        try await LiveGateway.run(["UPSTREAM_MAX_RETRIES": "1"]) { gateway in
            gateway.mock.inject(MockFault(status: 429, times: 2))
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 429)
            #expect(response.json["code"] as? String == "rate_limited")
            #expect(response.header("Retry-After") != nil)
            #expect(gateway.mock.chatRequestCount == 2)
        }
    }

    @Test("An upstream that does not answer in time becomes 504 upstream_timeout")
    func upstreamTimeoutBecomes504() async throws {
        try await LiveGateway.run(["UPSTREAM_TIMEOUT_MS": "300", "UPSTREAM_MAX_RETRIES": "0"]) { gateway in
            gateway.mock.inject(MockFault(hang: true, hangMs: 5000))
            let started = ContinuousClock.now
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 504)
            #expect(response.json["code"] as? String == "upstream_timeout")
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }

    @Test("A stream whose upstream sends no headers in time becomes 504 before the first byte")
    func streamHeaderTimeoutBecomes504() async throws {
        try await LiveGateway.run(["UPSTREAM_TIMEOUT_MS": "300", "UPSTREAM_MAX_RETRIES": "0"]) { gateway in
            gateway.mock.inject(MockFault(hang: true, hangMs: 5000))
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"hi"}"#)
            #expect(response.status == 504)
            #expect(response.json["code"] as? String == "upstream_timeout")
        }
    }

    @Test("An unreachable upstream becomes 502 upstream_unavailable")
    func unreachableUpstreamBecomes502() async throws {
        try await LiveGateway.run(["TAOTOKEN_BASE_URL": "http://127.0.0.1:9/v1", "UPSTREAM_CONNECT_TIMEOUT_MS": "500"]) { gateway in
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 502)
            #expect(response.json["code"] as? String == "upstream_unavailable")
        }
    }

    @Test("Upstream 5xx after retries becomes 502 upstream_unavailable")
    func upstream5xxBecomes502() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(status: 503, times: 10))
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 502)
            #expect(response.json["code"] as? String == "upstream_unavailable")
        }
    }

    @Test("An upstream answer the gateway cannot place becomes 500 internal_error")
    func unplaceableUpstreamAnswerBecomes500() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(status: 418))
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 500)
            #expect(response.json["code"] as? String == "internal_error")
        }
    }

    @Test("An upstream that rejects the request (e.g. unknown model) becomes 400 invalid_request")
    func upstreamRejectionBecomes400() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(status: 404))
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi","model":"no-such-model"}"#)
            #expect(response.status == 400)
            #expect(response.json["code"] as? String == "invalid_request")
        }
    }

    @Test("An unknown route gets a 404 JSON error")
    func unknownRouteGets404() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.get("/api/nothing-here")
            #expect(response.status == 404)
            #expect(response.json["code"] as? String == "not_found")
        }
    }

    @Test("Errors are in Chinese when Accept-Language prefers zh")
    func errorsAreInChineseForZh() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post(
                "/api/chat",
                json: "{}",
                headers: [("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")]
            )
            #expect(response.json["error"] as? String == "message 为必填项，且必须是非空字符串")
        }
    }

    @Test("Errors are in English when Accept-Language prefers another language")
    func errorsAreInEnglishOtherwise() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/api/chat", json: "{}", headers: [("Accept-Language", "en-US,zh;q=0.5")])
            #expect(response.json["error"] as? String == "message is required and must be a non-empty string")
        }
    }

    @Test("details appear only with APP_ENV=development")
    func detailsOnlyInDevelopment() async throws {
        try await LiveGateway.run(["APP_ENV": "development"]) { gateway in
            gateway.mock.inject(MockFault(status: 503, times: 10))
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect((response.json["details"] as? String)?.contains("mock upstream failure 503") == true)
        }
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(status: 503, times: 10))
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.json["details"] == nil)
        }
    }

    @Test("The upstream key never reaches a response, even when the upstream quotes it")
    func upstreamKeyNeverReachesResponses() async throws {
        try await LiveGateway.run(["APP_ENV": "development"]) { gateway in
            gateway.mock.inject(MockFault(status: 401, message: "Incorrect API key provided: \(testUpstreamKey)"))
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 401)
            #expect(!response.body.contains(testUpstreamKey))
            #expect((response.json["details"] as? String)?.contains("[redacted]") == true)
        }
    }
}
