import Foundation
import MockUpstream
import Testing

@testable import TaoGate

@Suite("Several providers")
struct ProviderRoutingTests {
    static let chat = #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#

    /// Provider `primary` serves gpt-4o and qwen-* models; `backup` serves anything else.
    static let plainTwoProviders: @Sendable ([String]) -> String = { twoProviders($0) }

    static func twoProviders(_ urls: [String], fallbacks: String = "") -> String {
        """
        providers:
          - name: primary
            base_url: \(urls[0])
            keys:
              - env: TEST_UPSTREAM_KEY
            models: [gpt-4o]
            model_prefixes: [qwen-]
          - name: backup
            base_url: \(urls[1])
            keys: [{ env: TEST_UPSTREAM_KEY }]
        \(fallbacks)
        """
    }

    @Test("Each model goes to the provider that serves it, by name, by prefix, or by catch-all")
    func modelsGoToTheirProvider() async throws {
        try await LiveGateway.run(mocks: 2, providers: Self.plainTwoProviders) { gateway, mocks in
            for model in ["gpt-4o", "qwen-max", "claude-sonnet-4-6"] {
                let response = try await gateway.post(
                    "/v1/chat/completions",
                    json: #"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}]}"#
                )
                #expect(response.status == 200)
            }
            #expect(mocks[0].chatRequests.map(\.model) == ["gpt-4o", "qwen-max"])
            #expect(mocks[1].chatRequests.map(\.model) == ["claude-sonnet-4-6"])
        }
    }

    @Test("An unknown model gets 404 in OpenAI's shape and is not forwarded")
    func unknownModelIs404() async throws {
        let providers: @Sendable ([String]) -> String = { urls in
            "providers:\n  - name: only\n    base_url: \(urls[0])\n    keys: [{ env: TEST_UPSTREAM_KEY }]\n    models: [gpt-4o]\n"
        }
        try await LiveGateway.run(mocks: 1, providers: providers) { gateway, mocks in
            let response = try await gateway.post(
                "/v1/chat/completions",
                json: #"{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}"#
            )
            #expect(response.status == 404)
            #expect((response.json["error"] as? [String: Any])?["code"] as? String == "model_not_found")
            #expect(mocks[0].chatRequestCount == 0)
        }
    }

    @Test("A model whose provider keeps failing falls back to the next model in its list")
    func failingProviderFallsBack() async throws {
        let providers: @Sendable ([String]) -> String = { Self.twoProviders($0, fallbacks: "fallbacks:\n  gpt-4o: [claude-sonnet-4-6]") }
        try await LiveGateway.run(mocks: 2, providers: providers, ["UPSTREAM_MAX_RETRIES": "1"]) { gateway, mocks in
            mocks[0].inject(MockFault(status: 503, times: 10))
            let response = try await gateway.post("/v1/chat/completions", json: Self.chat)
            #expect(response.status == 200)
            #expect(mocks[0].chatRequestCount == 2)
            #expect(mocks[1].chatRequests.map(\.model) == ["claude-sonnet-4-6"])
            let line = try #require(try await gateway.requestLogLines().first)
            #expect(line["provider"] as? String == "backup")
            #expect(line["upstream_calls"] as? Int == 2)
        }
    }

    @Test("Each upstream call leaves a usage row: the failed one with its status, the answering one with the tokens")
    func eachUpstreamCallLeavesAUsageRow() async throws {
        let providers: @Sendable ([String]) -> String = { Self.twoProviders($0, fallbacks: "fallbacks:\n  gpt-4o: [claude-sonnet-4-6]") }
        try await LiveGateway.run(mocks: 2, providers: providers, ["UPSTREAM_MAX_RETRIES": "0"]) { gateway, mocks in
            mocks[0].inject(MockFault(status: 503))
            let response = try await gateway.post("/v1/chat/completions", json: Self.chat)
            #expect(response.status == 200)
            let usage = try #require(gateway.stores.usage as? MemoryUsageStore)
            for _ in 0..<100 where await usage.all.count < 2 { try await Task.sleep(for: .milliseconds(30)) }
            let rows = await usage.all
            #expect(rows.map(\.provider) == ["primary", "backup"])
            #expect(rows.map(\.model) == ["gpt-4o", "claude-sonnet-4-6"])
            #expect(rows.map(\.status) == [503, 200])
            #expect(rows[0].promptTokens == 0 && rows[0].completionTokens == 0)
            #expect(rows[1].completionTokens == MockReply.usage(for: mocks[1].chatRequests[0]).completionTokens)
        }
    }

    @Test("A fallback also serves a stream that fails before its first byte")
    func streamFallsBackBeforeFirstByte() async throws {
        let providers: @Sendable ([String]) -> String = { Self.twoProviders($0, fallbacks: "fallbacks:\n  gpt-4o: [claude-sonnet-4-6]") }
        try await LiveGateway.run(mocks: 2, providers: providers, ["UPSTREAM_MAX_RETRIES": "0"]) { gateway, mocks in
            mocks[0].inject(MockFault(status: 500))
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"hi","model":"gpt-4o"}"#)
            #expect(response.events.last?.data == "[DONE]")
            #expect(mocks[1].chatRequestCount == 1)
        }
    }

    @Test("A request the upstream rejects (400) does not fall back")
    func clientErrorsDoNotFallBack() async throws {
        let providers: @Sendable ([String]) -> String = { Self.twoProviders($0, fallbacks: "fallbacks:\n  gpt-4o: [claude-sonnet-4-6]") }
        try await LiveGateway.run(mocks: 2, providers: providers) { gateway, mocks in
            mocks[0].inject(MockFault(status: 400))
            let response = try await gateway.post("/v1/chat/completions", json: Self.chat)
            #expect(response.status == 400)
            #expect(mocks[1].chatRequestCount == 0)
        }
    }

    @Test("A key answered with 401 is set aside and the next key is tried")
    func rejectedKeyIsSetAside() async throws {
        let providers: @Sendable ([String]) -> String = { urls in
            """
            providers:
              - name: primary
                base_url: \(urls[0])
                keys:
                  - env: WRONG_KEY
                    weight: 1000000
                  - env: TEST_UPSTREAM_KEY
                    weight: 1
            """
        }
        try await LiveGateway.run(mocks: 1, providers: providers, ["WRONG_KEY": "sk-revoked-key-00000000"]) { gateway, mocks in
            for _ in 0..<5 {
                let response = try await gateway.post("/v1/chat/completions", json: Self.chat)
                #expect(response.status == 200)
            }
            let counts = mocks[0].authorizationCounts
            #expect(counts["Bearer sk-revoked-key-00000000"] == 1)
            #expect(counts["Bearer \(testUpstreamKey)"] == 5)
        }
    }

    @Test("Keys share the traffic by weight")
    func keysShareTrafficByWeight() async throws {
        let providers: @Sendable ([String]) -> String = { urls in
            """
            providers:
              - name: primary
                base_url: \(urls[0])
                keys:
                  - { env: TEST_UPSTREAM_KEY, weight: 3 }
                  - { env: SECOND_KEY, weight: 1 }
            """
        }
        // The mock accepts only one key, so a request on SECOND_KEY shows up as a 401 and a retry;
        // cool-down 0 keeps both keys in play.
        let file: @Sendable ([String]) -> String = { providers($0) + "\nkey_cooldown_ms: 0\n" }
        try await LiveGateway.run(mocks: 1, providers: file, ["SECOND_KEY": "sk-second-key-000000000", "RATE_LIMIT_MAX": "0"]) { gateway, mocks in
            for _ in 0..<200 {
                let response = try await gateway.post("/v1/chat/completions", json: Self.chat)
                #expect(response.status == 200)
            }
            let second = mocks[0].authorizationCounts["Bearer sk-second-key-000000000"] ?? 0
            // Expected 50 of 200 first picks; far from both 0 and 200 even with bad luck.
            #expect((20...90).contains(second))
        }
    }

    @Test("A provider's extra headers go with every request to it")
    func extraHeadersAreSent() async throws {
        let providers: @Sendable ([String]) -> String = { urls in
            """
            providers:
              - name: primary
                base_url: \(urls[0])
                keys: [{ env: TEST_UPSTREAM_KEY }]
                headers:
                  X-Title: TaoGate tests
                  HTTP-Referer: https://example.com
            """
        }
        try await LiveGateway.run(mocks: 1, providers: providers) { gateway, mocks in
            _ = try await gateway.post("/v1/chat/completions", json: Self.chat)
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            for headers in mocks[0].chatHeaders {
                #expect(headers["x-title"] == "TaoGate tests")
                #expect(headers["http-referer"] == "https://example.com")
            }
            #expect(mocks[0].chatHeaders.count == 2)
        }
    }

    @Test("The reference API routes through the same providers")
    func referenceAPIUsesTheRouting() async throws {
        try await LiveGateway.run(mocks: 2, providers: Self.plainTwoProviders) { gateway, mocks in
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi","model":"qwen-plus"}"#)
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi","model":"deepseek-v3"}"#)
            #expect(mocks[0].chatRequests.map(\.model) == ["qwen-plus"])
            #expect(mocks[1].chatRequests.map(\.model) == ["deepseek-v3"])
        }
    }

    @Test("GET /v1/models is the union of every provider's models")
    func modelsAreTheUnion() async throws {
        let providers: @Sendable ([String]) -> String = { urls in
            """
            providers:
              - name: primary
                base_url: \(urls[0])
                keys: [{ env: TEST_UPSTREAM_KEY }]
                models: [house-model-a, house-model-b]
              - name: backup
                base_url: \(urls[1])
                keys: [{ env: TEST_UPSTREAM_KEY }]
                model_prefixes: [gpt-]
            """
        }
        try await LiveGateway.run(mocks: 2, providers: providers) { gateway, _ in
            let response = try await gateway.get("/v1/models")
            let ids = (response.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == ["house-model-a", "house-model-b"] + MockUpstream.models.filter { $0.hasPrefix("gpt-") })
        }
    }

    /// The configuration read from a providers file holding `text` (`ext`: yaml or json), with
    /// `values` for the environment; the file is removed afterwards.
    func configuration(providersFile text: String, ext: String = "yaml", _ values: [String: String] = [:]) throws -> GatewayConfiguration {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-\(UUID().uuidString).\(ext)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try GatewayConfiguration(values: values.merging(["TAOGATE_CONFIG": path]) { $1 })
    }

    @Test("A providers file that names a missing key variable fails startup naming it")
    func missingKeyVariableFailsStartup() throws {
        #expect(throws: ConfigurationError(name: "NOT_SET_ANYWHERE", problem: "is required by provider p in TAOGATE_CONFIG")) {
            _ = try configuration(providersFile: "providers:\n  - name: p\n    base_url: http://127.0.0.1:1/v1\n    keys: [{ env: NOT_SET_ANYWHERE }]\n")
        }
    }

    @Test("A provider key holding a line break fails startup naming its variable, not its value")
    func keyWithLineBreakFailsStartup() throws {
        #expect(throws: ConfigurationError(name: "K", problem: "holds a control character (a line break?)")) {
            _ = try configuration(providersFile: "providers:\n  - name: p\n    base_url: http://127.0.0.1:1/v1\n    keys: [{ env: K }]\n", ["K": "sk-k\r"])
        }
    }

    @Test("A TAOTOKEN_API_KEY holding a line break fails startup naming it")
    func taotokenKeyWithLineBreakFailsStartup() {
        #expect(throws: ConfigurationError(name: "TAOTOKEN_API_KEY", problem: "holds a control character (a line break?)")) {
            _ = try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "sk-abc\nX-Injected: 1"])
        }
    }

    @Test(
        "A provider header that could not be sent fails startup naming the provider",
        arguments: [
            ("X-Team", "a\\r\\nX-Injected: 1", "the value of X-Team holds a control character"),
            ("Bad Name", "v", "a header name is not a token"),
            ("Transfer-Encoding", "chunked", "the body is framed by Content-Length, not Transfer-Encoding"),
        ]
    )
    func unsendableHeaderFailsStartup(name: String, value: String, problem: String) throws {
        let file = "providers:\n  - name: p\n    base_url: http://127.0.0.1:1/v1\n    keys: [{ env: K }]\n    headers:\n      \"\(name)\": \"\(value)\"\n"
        #expect(throws: ConfigurationError(name: "TAOGATE_CONFIG", problem: "provider p, headers: \(problem)")) {
            _ = try configuration(providersFile: file, ["K": "sk-k"])
        }
    }

    @Test("A JSON providers file works too, and needs no TAOTOKEN_API_KEY")
    func jsonProvidersFileWorks() throws {
        let file = #"{"providers":[{"name":"p","base_url":"http://127.0.0.1:1/v1","keys":[{"env":"K","weight":2}],"models":["m"]}],"fallbacks":{"m":["n"]}}"#
        let loaded = try configuration(providersFile: file, ext: "json", ["K": "sk-k"])
        #expect(loaded.providers.map(\.name) == ["p"])
        #expect(loaded.providers.first?.keys.first?.weight == 2)
        #expect(loaded.fallbacks == ["m": ["n"]])
    }
}

@Suite("The example providers file")
struct ExampleProvidersFileTests {
    @Test("providers.example.yaml in the repository loads")
    func exampleFileLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let configuration = try GatewayConfiguration(values: [
            "TAOGATE_CONFIG": root.appendingPathComponent("providers.example.yaml").path,
            "TAOTOKEN_API_KEY": "a", "TAOTOKEN_API_KEY_2": "b", "OPENAI_API_KEY": "c",
        ])
        #expect(configuration.providers.map(\.name) == ["taotoken", "openai"])
        #expect(configuration.providers[0].keys.map(\.weight) == [3, 1])
        #expect(configuration.fallbacks["gpt-4o"] == ["claude-sonnet-4-6"])
    }
}
