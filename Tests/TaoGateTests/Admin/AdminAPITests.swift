import Foundation
import HummingbirdCore
import LLMClient
import MockUpstream
import NIOHTTP1
import Testing

@testable import TaoGate

private let adminKey = "admin-key-for-the-admin-api"
private let adminHeaders = [("Authorization", "Bearer \(adminKey)")]

extension LiveGateway {
    /// An admin API call with the admin key.
    func admin(_ method: HTTPMethod, _ path: String, json: String? = nil, headers: [(String, String)] = []) async throws -> TestResponse {
        try await TestResponse.send(
            method,
            url + path,
            body: json,
            headers: adminHeaders + (json == nil ? [] : [("Content-Type", "application/json")]) + headers
        )
    }

    /// Creates a key over the admin API; its id and secret.
    func createKey(_ json: String) async throws -> (id: String, secret: String) {
        let response = try await admin(.POST, "/admin/keys", json: json)
        #expect(response.status == 201, "\(response.body)")
        let key = try #require(response.json["key"] as? [String: Any])
        return (try #require(key["id"] as? String), try #require(response.json["secret"] as? String))
    }
}

@Suite("Admin API: access")
struct AdminAccessTests {
    static let settings = ["TAOGATE_ADMIN_KEY": adminKey]

    @Test("Every admin route needs the admin key")
    func everyRouteNeedsTheKey() async throws {
        try await LiveGateway.run(Self.settings) { gateway in
            for (method, path) in [
                (HTTPMethod.GET, "/admin/keys"), (.GET, "/admin/keys/ck_x"), (.GET, "/admin/usage"), (.GET, "/admin/requests"),
                (.GET, "/admin/providers"), (.GET, "/admin/pricing"), (.POST, "/admin/pricing/reload"), (.DELETE, "/admin/keys/ck_x"),
            ] {
                let response = try await TestResponse.send(method, gateway.url + path, headers: [("Authorization", "Bearer wrong-admin-key")])
                #expect(response.status == 401, "\(method) \(path)")
            }
        }
    }

    @Test("A client key is not an admin key")
    func clientKeyIsNotAdmin() async throws {
        let client = "tg-client-not-admin-key-aaaaaaaaaaaaaa"
        try await LiveGateway.run(["TAOGATE_ADMIN_KEY": adminKey, "TAOGATE_API_KEYS": client]) { gateway async throws in
            #expect(try await gateway.get("/admin/keys", headers: [("x-api-key", client)]).status == 401)
        }
    }

    @Test("Wrong admin keys from one address are rate limited, then even the right key waits")
    func wrongAdminKeysAreLimited() async throws {
        try await LiveGateway.run(["TAOGATE_ADMIN_KEY": adminKey, "AUTH_FAILURES_PER_MINUTE": "3"]) { gateway in
            var statuses: [Int] = []
            for attempt in 0..<5 {
                statuses.append(try await gateway.get("/admin/keys", headers: [("Authorization", "Bearer guess-\(attempt)")]).status)
            }
            #expect(statuses == [401, 401, 401, 429, 429])
            let right = try await gateway.admin(.GET, "/admin/keys")
            #expect(right.status == 429)
            #expect(right.header("Retry-After") != nil)
        }
    }

    @Test("Without TAOGATE_ADMIN_KEY neither the admin API nor the console exists")
    func noAdminKeyNoRoutes() async throws {
        try await LiveGateway.run { gateway async throws in
            #expect(try await gateway.get("/admin/keys").status == 404)
            #expect(try await gateway.get("/admin/").status == 404)
        }
    }

    @Test("The console is served with a strict content security policy, and holds nothing secret")
    func consoleIsServed() async throws {
        try await LiveGateway.run(Self.settings) { gateway in
            let page = try await gateway.get("/admin/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
            #expect(!page.body.contains(adminKey))
            #expect(try await gateway.get("/admin/console.js").status == 200)
            #expect(try await gateway.get("/admin/console.css").status == 200)
        }
    }
}

@Suite("Admin API: keys")
struct AdminKeysTests {
    static let settings = ["TAOGATE_ADMIN_KEY": adminKey]
    static let chat = #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#

    @Test("A created key's secret is shown once and works; lists never show it")
    func createdKeyWorks() async throws {
        try await LiveGateway.run(Self.settings) { gateway in
            let (id, secret) = try await gateway.createKey(#"{"name":"team a","owner":"ann","note":"for the demo"}"#)
            #expect(secret.hasPrefix("tg_"))
            #expect(try await gateway.post("/v1/chat/completions", json: Self.chat, headers: [("x-api-key", secret)]).status == 200)
            let list = try await gateway.admin(.GET, "/admin/keys")
            #expect(list.status == 200)
            #expect(!list.body.contains(secret))
            let keys = try #require(list.json["keys"] as? [[String: Any]])
            let listed = try #require(keys.first { $0["id"] as? String == id })
            #expect(listed["owner"] as? String == "ann" && listed["note"] as? String == "for the demo")
            #expect(listed["status"] as? String == "active")
            #expect(!(try await gateway.admin(.GET, "/admin/keys/\(id)")).body.contains(secret))
        }
    }

    @Test("Keys of TAOGATE_API_KEYS are listed, and cannot be changed or revoked here")
    func configuredKeysAreReadOnly() async throws {
        let configured = "tg-configured-key-aaaaaaaaaaaaaaaaaaaaa"
        try await LiveGateway.run(["TAOGATE_ADMIN_KEY": adminKey, "TAOGATE_API_KEYS": configured]) { gateway in
            let id = ClientKeys.configuredID(of: configured)
            let keys = try #require(try await gateway.admin(.GET, "/admin/keys").json["keys"] as? [[String: Any]])
            #expect(keys.contains { $0["id"] as? String == id && $0["source"] as? String == "environment" })
            #expect(try await gateway.admin(.PATCH, "/admin/keys/\(id)", json: #"{"note":"x"}"#).status == 400)
            #expect(try await gateway.admin(.DELETE, "/admin/keys/\(id)").status == 400)
            #expect(!(try await gateway.admin(.GET, "/admin/keys")).body.contains(configured))
        }
    }

    @Test("PATCH changes limits, budgets, models and expiry, and GET shows them with each budget's use")
    func patchChangesLimits() async throws {
        try await LiveGateway.run(Self.settings) { gateway in
            let (id, secret) = try await gateway.createKey(#"{"name":"k"}"#)
            _ = try await gateway.post("/v1/chat/completions", json: Self.chat, headers: [("x-api-key", secret)])
            let patch =
                #"{"rate_limit":50,"max_concurrent":3,"budgets":[{"period":"daily","tokens":100000},{"period":"monthly","amount":20,"currency":"USD"}],"allowed_models":["gpt-4o","qwen-*"],"expires_at":"2099-01-01T00:00:00Z"}"#
            #expect(try await gateway.admin(.PATCH, "/admin/keys/\(id)", json: patch).status == 200)
            let shown = try #require(try await gateway.admin(.GET, "/admin/keys/\(id)").json["key"] as? [String: Any])
            #expect(shown["rate_limit"] as? Int == 50 && shown["max_concurrent"] as? Int == 3)
            #expect(shown["allowed_models"] as? [String] == ["gpt-4o", "qwen-*"])
            #expect(shown["expires_at"] as? String == "2099-01-01T00:00:00Z")
            let usage = try #require(shown["budget_usage"] as? [[String: Any]])
            _ = try await waitUntil { try await gateway.stores.usage.tokensUsed(by: id) > 0 }
            let spent = try await gateway.stores.usage.tokensUsed(by: id)
            let reread = try #require(try await gateway.admin(.GET, "/admin/keys/\(id)").json["key"] as? [String: Any])
            let daily = try #require(reread["budget_usage"] as? [[String: Any]])
            #expect(usage.count == 2)
            #expect(daily.first?["used"] as? Double == Double(spent))
            #expect(daily.first?["renews_at"] as? String != nil)
        }
    }

    @Test("A field set to null is cleared")
    func nullClears() async throws {
        try await LiveGateway.run(Self.settings) { gateway in
            let (id, _) = try await gateway.createKey(
                #"{"name":"k","owner":"ann","allowed_models":["gpt-4o"],"budgets":[{"period":"total","tokens":5}]}"#
            )
            let changed = try await gateway.admin(.PATCH, "/admin/keys/\(id)", json: #"{"owner":null,"allowed_models":null,"budgets":null}"#)
            let key = try #require(changed.json["key"] as? [String: Any])
            #expect(key["owner"] is NSNull && key["allowed_models"] is NSNull)
            #expect((key["budgets"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(
        "Invalid key fields are refused with 400 naming the field",
        arguments: [
            (#"{"name":""}"#, "name"), (#"{"colour":"red"}"#, "colour"), (#"{"rate_limit":0}"#, "rate_limit"),
            (#"{"max_concurrent":"3"}"#, "max_concurrent"), (#"{"allowed_models":["a*b"]}"#, "allowed_models"),
            (#"{"expires_at":"2001-01-01T00:00:00Z"}"#, "expires_at"), (#"{"expires_at":"soon"}"#, "expires_at"),
            (#"{"budgets":[{"period":"weekly","tokens":5}]}"#, "budgets"),
            (#"{"budgets":[{"period":"daily","tokens":5},{"period":"daily","tokens":6}]}"#, "budgets"),
            (#"{"budgets":[{"period":"daily","amount":5,"currency":"EUR"}]}"#, "budgets"),
            (#"{"budgets":[{"period":"daily","amount":-5,"currency":"CNY"}]}"#, "budgets"),
            (#"{"note":"a\u0007b"}"#, "note"),
        ]
    )
    func invalidFieldsAreRefused(body: String, field: String) async throws {
        try await LiveGateway.run(Self.settings) { gateway in
            let (id, _) = try await gateway.createKey(#"{"name":"k"}"#)
            let response = try await gateway.admin(.PATCH, "/admin/keys/\(id)", json: body)
            #expect(response.status == 400)
            #expect((response.json["error"] as? String)?.contains(field) == true, "\(response.body)")
            #expect(response.json["param"] as? String == field)
        }
    }

    @Test("A key needs a name, a JSON body and a JSON Content-Type")
    func createNeedsJSON() async throws {
        try await LiveGateway.run(Self.settings) { gateway in
            #expect(try await gateway.admin(.POST, "/admin/keys", json: #"{"owner":"ann"}"#).status == 400)
            #expect(try await gateway.admin(.POST, "/admin/keys", json: "[1,2]").status == 400)
            #expect(try await gateway.admin(.POST, "/admin/keys", json: #"{"name":"a","name":"b"}"#).status == 400)
            let plain = try await TestResponse.send(
                .POST,
                gateway.url + "/admin/keys",
                body: #"{"name":"a"}"#,
                headers: adminHeaders + [("Content-Type", "text/plain")]
            )
            #expect(plain.status == 415)
        }
    }

    @Test("A key's change over the admin API holds from its next request, though the server keeps keys it has found")
    func changeHoldsAtOnce() async throws {
        try await LiveGateway.run(Self.settings) { gateway in
            let (id, secret) = try await gateway.createKey(#"{"name":"k","allowed_models":["gpt-4o"]}"#)
            #expect(try await gateway.post("/v1/chat/completions", json: Self.chat, headers: [("x-api-key", secret)]).status == 200)
            #expect(try await gateway.admin(.PATCH, "/admin/keys/\(id)", json: #"{"allowed_models":["qwen-*"]}"#).status == 200)
            #expect(try await gateway.post("/v1/chat/completions", json: Self.chat, headers: [("x-api-key", secret)]).status == 403)
        }
    }

    @Test("A key revoked elsewhere is refused at once with KEY_CACHE_SECONDS=0")
    func revocationElsewhereWithoutKeeping() async throws {
        var settings = Self.settings
        settings["KEY_CACHE_SECONDS"] = "0"
        try await LiveGateway.run(settings) { gateway in
            let (id, secret) = try await gateway.createKey(#"{"name":"k"}"#)
            #expect(try await gateway.post("/v1/chat/completions", json: Self.chat, headers: [("x-api-key", secret)]).status == 200)
            // Straight to the database, as `taogate keys revoke` in another process does.
            #expect(try await gateway.stores.keys.revoke(id, at: Date()) == .revoked(id: id))
            #expect(try await gateway.post("/v1/chat/completions", json: Self.chat, headers: [("x-api-key", secret)]).status == 401)
        }
    }

    @Test("DELETE revokes: the key gets 401 and can no longer change; unknown ids are 404")
    func deleteRevokes() async throws {
        try await LiveGateway.run(Self.settings) { gateway in
            let (id, secret) = try await gateway.createKey(#"{"name":"k"}"#)
            let revoked = try await gateway.admin(.DELETE, "/admin/keys/\(id)")
            #expect((revoked.json["key"] as? [String: Any])?["status"] as? String == "revoked")
            #expect(try await gateway.post("/v1/chat/completions", json: Self.chat, headers: [("x-api-key", secret)]).status == 401)
            #expect(try await gateway.admin(.PATCH, "/admin/keys/\(id)", json: #"{"note":"x"}"#).status == 400)
            #expect(try await gateway.admin(.GET, "/admin/keys/ck_nothere").status == 404)
            #expect(try await gateway.admin(.DELETE, "/admin/keys/ck_nothere").status == 404)
        }
    }
}

@Suite("Client keys: models and expiry")
struct KeyAccessTests {
    static let settings = ["TAOGATE_ADMIN_KEY": adminKey]

    @Test("A key may call only its allowed models, by exact name or prefix; others get 403 in each dialect's shape")
    func allowedModels() async throws {
        try await LiveGateway.run(Self.settings) { gateway in
            let (_, secret) = try await gateway.createKey(#"{"name":"k","allowed_models":["gpt-4o","qwen-*"]}"#)
            let headers = [("x-api-key", secret)]
            func chat(_ model: String) -> String { #"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}]}"# }
            #expect(try await gateway.post("/v1/chat/completions", json: chat("gpt-4o"), headers: headers).status == 200)
            #expect(try await gateway.post("/v1/chat/completions", json: chat("qwen-plus"), headers: headers).status == 200)
            let refused = try await gateway.post("/v1/chat/completions", json: chat("gpt-4o-mini"), headers: headers)
            #expect(refused.status == 403)
            #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "model_not_allowed")
            let anthropic = try await gateway.post(
                "/v1/messages",
                json: #"{"model":"claude-sonnet-4-6","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#,
                headers: headers
            )
            #expect(anthropic.status == 403)
            #expect((anthropic.json["error"] as? [String: Any])?["type"] as? String == "permission_error")
            // The reference API's default model counts as the model asked for.
            #expect(try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: headers).status == 403)
            #expect(gateway.mock.chatRequestCount == 2)
        }
    }

    @Test("An expired key gets 401 key_expired and reaches no provider")
    func expiredKey() async throws {
        try await LiveGateway.run(Self.settings) { gateway in
            let (id, secret) = try await gateway.createKey(#"{"name":"k"}"#)
            let record = try #require(try await gateway.stores.keys.key(id: id))
            var expired = record
            expired.limits.expiresAt = Date().addingTimeInterval(-1)
            #expect(try await gateway.stores.keys.update(expired))
            let response = try await gateway.post(
                "/v1/chat/completions",
                json: #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#,
                headers: [("x-api-key", secret)]
            )
            #expect(response.status == 401)
            #expect((response.json["error"] as? [String: Any])?["code"] as? String == "key_expired")
            #expect(gateway.mock.chatRequestCount == 0)
            let listed = try #require(try await gateway.admin(.GET, "/admin/keys/\(id)").json["key"] as? [String: Any])
            #expect(listed["status"] as? String == "expired")
        }
    }
}

@Suite("Admin API: usage, requests and providers")
struct AdminUsageTests {
    static let chat =
        #"{"model":"gpt-4o","messages":[{"role":"user","content":"an earlier question"},{"role":"assistant","content":"an answer"},{"role":"user","content":"now this"}]}"#

    @Test("GET /admin/usage gives totals by key, model, day and hour with cost, the overall total and the time zone")
    func usageTotals() async throws {
        try await LiveGateway.run(pricing: distinctPrices, ["TAOGATE_ADMIN_KEY": adminKey, "USAGE_TIME_ZONE": "Asia/Shanghai"]) { gateway, _ in
            let (id, secret) = try await gateway.createKey(#"{"name":"k"}"#)
            for _ in 0..<3 { _ = try await gateway.post("/v1/chat/completions", json: Self.chat, headers: [("x-api-key", secret)]) }
            let rows = try await gateway.usageRows(atLeast: 3)
            for grouping in ["key", "model", "day", "hour"] {
                let response = try await gateway.admin(.GET, "/admin/usage?group_by=\(grouping)")
                #expect(response.status == 200)
                #expect(response.json["time_zone"] as? String == "Asia/Shanghai")
                let totals = try #require(response.json["totals"] as? [[String: Any]])
                #expect(totals.count == 1, "\(grouping)")
                #expect(totals.first?["requests"] as? Int == 3)
                let cost = try #require((totals.first?["cost"] as? [String: Any])?["CNY"] as? Double)
                #expect(abs(cost - rows.compactMap(\.cost).reduce(0, +)) < 1e-9)
            }
            let byKey = try await gateway.admin(.GET, "/admin/usage?group_by=key")
            #expect((byKey.json["totals"] as? [[String: Any]])?.first?["group"] as? String == id)
            let total = try #require(byKey.json["total"] as? [String: Any])
            #expect(total["prompt_tokens"] as? Int == rows.map(\.promptTokens).reduce(0, +))
        }
    }

    @Test("Usage as CSV has one line per group and a cost column per currency")
    func usageCSV() async throws {
        try await LiveGateway.run(pricing: distinctPrices, ["TAOGATE_ADMIN_KEY": adminKey]) { gateway, _ in
            _ = try await gateway.post("/v1/chat/completions", json: Self.chat)
            _ = try await gateway.post("/v1/chat/completions", json: #"{"model":"qwen-plus","messages":[{"role":"user","content":"hi"}]}"#)
            _ = try await gateway.usageRows(atLeast: 2)
            let csv = try await gateway.admin(.GET, "/admin/usage?group_by=model", headers: [("Accept", "text/csv")])
            #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
            let lines = csv.body.split(separator: "\r\n").map(String.init)
            #expect(
                lines.first
                    == "model,requests,prompt_tokens,completion_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,cost_CNY,unpriced_requests"
            )
            #expect(lines.count == 3)
            #expect(lines[1].hasPrefix("gpt-4o,1,"))
            #expect(lines[2].hasPrefix("qwen-plus,1,") && lines[2].hasSuffix(",,1"))
        }
    }

    @Test("A CSV field that a spreadsheet would read as a formula is quoted as text")
    func csvFieldsAreNotFormulas() {
        #expect(AdminUsageController.csvField("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(AdminUsageController.csvField("-1+2") == "'-1+2")
        #expect(AdminUsageController.csvField("a,b") == "\"a,b\"")
        #expect(AdminUsageController.csvField("gpt-4o") == "gpt-4o")
    }

    @Test("CSV amounts are plain decimals, never exponents")
    func csvNumbersArePlain() {
        #expect(AdminUsageController.csvNumber(0.0000128) == "0.0000128")
        #expect(AdminUsageController.csvNumber(2.5) == "2.5")
        #expect(AdminUsageController.csvNumber(3) == "3")
    }

    @Test("A page of recent requests that holds the last one has no next_before")
    func lastPageHasNoCursor() async throws {
        try await LiveGateway.run(["TAOGATE_ADMIN_KEY": adminKey]) { gateway in
            for _ in 0..<2 { _ = try await gateway.post("/v1/chat/completions", json: Self.chat) }
            _ = try await gateway.usageRows(atLeast: 2)
            let page = try await gateway.admin(.GET, "/admin/requests?limit=2")
            #expect((page.json["requests"] as? [Any])?.count == 2)
            #expect(page.json["next_before"] is NSNull)
        }
    }

    @Test("The default usage range ends at the next whole second, so the range its answer names counts the same rows")
    func defaultUsageRangeEndsOnAWholeSecond() throws {
        let before = Date()
        let query = try AdminUsageController.usageQuery(URI("/admin/usage").queryParameters, defaultGrouping: .day)
        #expect(query.to.timeIntervalSince1970 == query.to.timeIntervalSince1970.rounded())
        #expect(query.to >= before)
        #expect(query.from == query.to.addingTimeInterval(-30 * 86_400))
    }

    @Test("Bad usage parameters are refused with 400")
    func badUsageParameters() async throws {
        try await LiveGateway.run(["TAOGATE_ADMIN_KEY": adminKey]) { gateway async throws in
            for query in ["group_by=colour", "from=yesterday", "from=2026-02-01&to=2026-01-01", "from=2000-01-01&to=2026-01-01"] {
                #expect(try await gateway.admin(.GET, "/admin/usage?\(query)").status == 400, "\(query)")
            }
            for query in ["limit=0", "limit=501", "before=abc", "status=maybe"] {
                #expect(try await gateway.admin(.GET, "/admin/requests?\(query)").status == 400, "\(query)")
            }
        }
    }

    @Test("GET /admin/requests lists recent calls without content, newest first, paged with next_before")
    func recentRequests() async throws {
        try await LiveGateway.run(pricing: distinctPrices, ["TAOGATE_ADMIN_KEY": adminKey]) { gateway, _ in
            for index in 0..<3 {
                _ = try await gateway.post(
                    "/v1/chat/completions",
                    json: #"{"model":"gpt-4o","messages":[{"role":"user","content":"secret words \#(index)"}]}"#
                )
            }
            _ = try await gateway.usageRows(atLeast: 3)
            let page = try await gateway.admin(.GET, "/admin/requests?limit=2")
            #expect(!page.body.contains("secret words"))
            let requests = try #require(page.json["requests"] as? [[String: Any]])
            #expect(requests.count == 2)
            let logged = try await gateway.requestLogLines(atLeast: 3).filter { $0["route"] as? String == "/v1/chat/completions" }
                .compactMap { $0["request_id"] as? String }
            #expect(requests.compactMap { $0["request_id"] as? String } == Array(logged.reversed().prefix(2)))
            #expect(requests.allSatisfy { $0["cost"] is Double && $0["status"] as? Int == 200 && $0["duration_ms"] is Double })
            let next = try #require(page.json["next_before"] as? Int)
            let rest = try #require(try await gateway.admin(.GET, "/admin/requests?limit=2&before=\(next)").json["requests"] as? [[String: Any]])
            #expect(rest.count == 1)
            #expect(rest.first?["request_id"] as? String == logged.first)
        }
    }

    @Test("GET /admin/providers shows each provider key's circuit, error rate and latency")
    func providerHealth() async throws {
        try await LiveGateway.run(["TAOGATE_ADMIN_KEY": adminKey, "CIRCUIT_BREAKER_FAILURES": "2", "UPSTREAM_MAX_RETRIES": "0"]) { gateway in
            _ = try await gateway.post("/v1/chat/completions", json: Self.chat)
            gateway.mock.inject(MockFault(status: 503, times: 2))
            for _ in 0..<2 { _ = try await gateway.post("/v1/chat/completions", json: Self.chat) }
            let health = try await gateway.admin(.GET, "/admin/providers")
            let providers = try #require(health.json["providers"] as? [[String: Any]])
            let key = try #require((providers.first?["keys"] as? [[String: Any]])?.first)
            #expect(key["id"] as? String == "taotoken#1" && key["source"] as? String == "TAOTOKEN_API_KEY")
            #expect(key["circuit"] as? String == "open")
            let recent = try #require(key["recent"] as? [String: Any])
            #expect(recent["calls"] as? Int == 3 && recent["errors"] as? Int == 2)
            #expect(abs((recent["error_rate"] as? Double ?? 0) - 2.0 / 3.0) < 1e-9)
            #expect(recent["latency_ms_avg"] is Double)
            #expect(!health.body.contains(testUpstreamKey))
        }
    }

    @Test("GET /admin/pricing shows the prices in force, per 1M tokens")
    func pricingShown() async throws {
        try await LiveGateway.run(pricing: distinctPrices, ["TAOGATE_ADMIN_KEY": adminKey]) { gateway, _ in
            let pricing = try await gateway.admin(.GET, "/admin/pricing")
            let shared = try #require(pricing.json["shared"] as? [String: Any])
            #expect(shared["currency"] as? String == "CNY")
            let gpt = try #require((shared["models"] as? [String: Any])?["gpt-4o"] as? [String: Any])
            #expect(gpt["reasoning"] as? Double == 32 && gpt["cached_input"] as? Double == 0.25)
            #expect(pricing.json["unit"] as? String == "per 1M tokens")
        }
    }
}
