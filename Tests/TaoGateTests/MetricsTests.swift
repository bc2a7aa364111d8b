import MockUpstream
import Testing

@Suite("GET /metrics")
struct MetricsTests {
    /// The value of the sample whose line starts with `name{` and holds every label given.
    private func sample(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            guard labels.allSatisfy({ line.contains("\($0.key)=\"\($0.value)\"") }) else { continue }
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }

    @Test("Requests are counted by route pattern, method and status, never by raw path")
    func requestsAreCountedByRoute() async throws {
        try await LiveGateway.run { gateway in
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            _ = try await gateway.post("/api/chat", json: "{}")
            _ = try await gateway.get("/api/conversations/some-user")
            let text = try await gateway.metrics(afterRequests: 4)
            #expect(sample(text, "taogate_requests_total", ["route": "/api/chat", "status": "200", "method": "POST"]) == 2)
            #expect(sample(text, "taogate_requests_total", ["route": "/api/chat", "status": "400"]) == 1)
            #expect(sample(text, "taogate_requests_total", ["route": "/api/conversations/{userId}", "status": "200"]) == 1)
            #expect(!text.contains("some-user"))
        }
    }

    @Test("With METRICS_ENABLED=false there is no /metrics and chat still works")
    func metricsCanBeTurnedOff() async throws {
        try await LiveGateway.run(["METRICS_ENABLED": "false"]) { gateway in
            let chat = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            let metrics = try await gateway.get("/metrics")
            #expect(chat.status == 200)
            #expect(metrics.status == 404)
        }
    }

    @Test("Tokens are counted by model and kind, from what the upstream reported")
    func tokensAreCounted() async throws {
        try await LiveGateway.run { gateway in
            _ = try await gateway.post("/api/chat", json: #"{"message":"count me","model":"qwen-plus"}"#)
            let usage = MockReply.usage(for: try #require(gateway.mock.chatRequests.first))
            let text = try await gateway.metrics(afterRequests: 1)
            #expect(sample(text, "taogate_tokens_total", ["model": "qwen-plus", "kind": "prompt"]) == Double(usage.promptTokens))
            #expect(sample(text, "taogate_tokens_total", ["model": "qwen-plus", "kind": "completion"]) == Double(usage.completionTokens))
        }
    }

    @Test("Upstream errors, retries, rate-limited requests and the gateway's own time are measured")
    func failuresAndTimesAreMeasured() async throws {
        try await LiveGateway.run(["UPSTREAM_MAX_RETRIES": "1", "RATE_LIMIT_MAX": "2"]) { gateway in
            gateway.mock.inject(MockFault(status: 503, times: 2))
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            let text = try await gateway.metrics(afterRequests: 3)
            #expect(sample(text, "taogate_upstream_errors_total", ["provider": "taotoken", "status": "503"]) == 1)
            #expect(sample(text, "taogate_upstream_retries_total", ["provider": "taotoken"]) == 1)
            #expect(sample(text, "taogate_rate_limited_total") == 1)
            #expect(sample(text, "taogate_gateway_overhead_seconds_count", ["route": "/api/chat"]) == 1)  // only the answered request
            #expect(sample(text, "taogate_upstream_duration_seconds_count", ["provider": "taotoken"]) == 2)
        }
    }

    @Test("Streams report time to first token, and none is left active when they end")
    func streamsAreMeasured() async throws {
        try await LiveGateway.run { gateway in
            _ = try await gateway.post("/api/chat/stream", json: #"{"message":"hi"}"#)
            let text = try await gateway.metrics(afterRequests: 1)
            #expect(sample(text, "taogate_time_to_first_token_seconds_count", ["route": "/api/chat/stream"]) == 1)
            #expect(sample(text, "taogate_active_streams") == 0)
        }
    }

    @Test("Each provider key's circuit state is exported: 0 closed, 2 open")
    func circuitStateIsExported() async throws {
        try await LiveGateway.run(["CIRCUIT_BREAKER_FAILURES": "1", "UPSTREAM_MAX_RETRIES": "0"]) { gateway in
            let before = try await gateway.get("/metrics").body
            #expect(sample(before, "taogate_circuit_state", ["key": "taotoken#1"]) == 0)
            gateway.mock.inject(MockFault(status: 500))
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            let after = try await gateway.get("/metrics").body
            #expect(sample(after, "taogate_circuit_state", ["key": "taotoken#1"]) == 2)
        }
    }

    @Test("A fallback is counted against the provider that failed")
    func fallbacksAreCounted() async throws {
        let providers: @Sendable ([String]) -> String = {
            ProviderRoutingTests.twoProviders($0, fallbacks: "fallbacks:\n  gpt-4o: [claude-sonnet-4-6]")
        }
        try await LiveGateway.run(mocks: 2, providers: providers, ["UPSTREAM_MAX_RETRIES": "0"]) { gateway, mocks in
            mocks[0].inject(MockFault(status: 503))
            _ = try await gateway.post("/v1/chat/completions", json: ProviderRoutingTests.chat)
            let text = try await gateway.metrics(afterRequests: 1)
            #expect(sample(text, "taogate_fallbacks_total", ["provider": "primary"]) == 1)
        }
    }
}
