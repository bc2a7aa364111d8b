import Foundation
import Testing

@testable import TaoGate

@Suite("Keys, usage and the admin API")
struct PersistenceTests {
    static let admin = ["TAOGATE_ADMIN_KEY": "admin-key-0123456789"]

    private func eventually(_ limit: Duration = .seconds(3), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    @Test("One usage row is written per upstream call, off the request path")
    func usageRowsAreWritten() async throws {
        try await LiveGateway.run { gateway in
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            _ = try await gateway.post("/v1/chat/completions", json: #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}"#)
            _ = try await gateway.post("/api/chat", json: "{}")  // rejected before any upstream call
            let usage = try #require(gateway.stores.usage as? MemoryUsageStore)
            #expect(try await eventually { await usage.all.count == 2 })
            let rows = await usage.all
            #expect(rows.map(\.streamed) == [false, true])
            #expect(rows.allSatisfy { $0.status == 200 && $0.completionTokens > 0 && $0.promptTokens > 0 })
            #expect(rows.first?.model == gateway.mock.chatRequests.first?.model)
        }
    }

    @Test("GET /api/usage needs the admin key and gives totals by model")
    func adminUsageTotals() async throws {
        try await LiveGateway.run(Self.admin) { gateway in
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi","model":"gpt-4o"}"#)
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi","model":"qwen-plus"}"#)
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi again","model":"qwen-plus"}"#)
            let denied = try await gateway.get("/api/usage")
            #expect(denied.status == 401)
            let usage = try #require(gateway.stores.usage as? MemoryUsageStore)
            #expect(try await eventually { await usage.all.count == 3 })
            let response = try await gateway.get("/api/usage?group_by=model", headers: [("Authorization", "Bearer admin-key-0123456789")])
            #expect(response.status == 200)
            let totals = try #require(response.json["totals"] as? [[String: Any]])
            #expect(totals.map { $0["group"] as? String } == ["gpt-4o", "qwen-plus"])
            #expect(totals.map { $0["requests"] as? Int } == [1, 2])
            let bad = try await gateway.get("/api/usage?group_by=color", headers: [("Authorization", "Bearer admin-key-0123456789")])
            #expect(bad.status == 400)
        }
    }

    @Test("Without TAOGATE_ADMIN_KEY the admin API does not exist")
    func noAdminKeyNoRoute() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.get("/api/usage")
            #expect(response.status == 404)
        }
    }

    @Test("A key created in the store is required and accepted; its own rate limit applies")
    func storedKeysWork() async throws {
        try await LiveGateway.run { gateway in
            let keys = ClientKeys(configured: [], store: gateway.stores.keys)
            let (_, secret) = try await keys.create(name: "app", rateLimit: 1, tokenBudget: nil)
            let headers = [("Authorization", "Bearer \(secret)")]
            let anonymous = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(anonymous.status == 401)
            let first = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: headers)
            #expect(first.status == 200)
            #expect(first.header("RateLimit-Limit") == "1")
            let second = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: headers)
            #expect(second.status == 429)
        }
    }

    @Test("A key over its token budget gets 429 with a clear message")
    func tokenBudgetIsEnforced() async throws {
        try await LiveGateway.run { gateway in
            let keys = ClientKeys(configured: [], store: gateway.stores.keys)
            let (record, secret) = try await keys.create(name: "small", rateLimit: nil, tokenBudget: 5)
            let headers = [("Authorization", "Bearer \(secret)")]
            let spent = try await gateway.post("/api/chat", json: #"{"message":"spend some tokens"}"#, headers: headers)
            #expect(spent.status == 200)
            #expect(try await eventually { try await gateway.stores.usage.tokensUsed(by: record.id) >= 5 })
            let refused = try await gateway.post("/api/chat", json: #"{"message":"more"}"#, headers: headers)
            #expect(refused.status == 429)
            #expect((refused.json["error"] as? String)?.contains("token budget") == true)
        }
    }

    @Test("GET /readyz answers 200 when the database answers")
    func readyzAnswers() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.get("/readyz")
            #expect(response.status == 200)
            #expect(response.json["status"] as? String == "ready")
        }
    }
}
