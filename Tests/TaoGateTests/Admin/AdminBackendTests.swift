import Foundation
import Logging
import MockUpstream
import NIOHTTP1
import Testing

@testable import TaoGate

/// The admin API, costs and key changes on each database.
@Suite("Admin API and costs on every back end")
struct AdminBackendTests {
    typealias Backend = StoreContractTests.Backend
    static let adminKey = "admin-key-for-every-backend"

    static func settings(_ backend: Backend) async throws -> [String: String] {
        ["TAOGATE_ADMIN_KEY": adminKey, "DATABASE_URL": try await MoneyBudgetTests.databaseURL(backend)]
    }

    static func admin(_ gateway: LiveGateway, _ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> TestResponse {
        try await TestResponse.send(
            method,
            gateway.url + path,
            body: json,
            headers: [("x-api-key", adminKey)] + (json == nil ? [] : [("Content-Type", "application/json")])
        )
    }

    @Test("A key is created, changed, used and revoked over the admin API", arguments: Backend.available)
    func keyLifecycle(backend: Backend) async throws {
        let settings = try await Self.settings(backend)
        defer { MoneyBudgetTests.removeFile(of: settings["DATABASE_URL"] ?? "") }
        try await LiveGateway.run(settings) { gateway in
            let created = try await Self.admin(gateway, .POST, "/admin/keys", json: #"{"name":"k","allowed_models":["gpt-4o"]}"#)
            #expect(created.status == 201)
            let id = try #require((created.json["key"] as? [String: Any])?["id"] as? String)
            let secret = try #require(created.json["secret"] as? String)
            let patched = try await Self.admin(
                gateway,
                .PATCH,
                "/admin/keys/\(id)",
                json: #"{"owner":"ann","budgets":[{"period":"monthly","tokens":1000000}],"expires_at":"2099-01-01"}"#
            )
            #expect(patched.status == 200)
            let record = try #require(try await gateway.stores.keys.key(id: id))
            #expect(record.owner == "ann" && record.limits.budgets == [.tokens(1_000_000, per: .monthly)])
            #expect(record.limits.allowedModels == ["gpt-4o"] && record.limits.expiresAt != nil)
            let chat = #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#
            #expect(try await gateway.post("/v1/chat/completions", json: chat, headers: [("x-api-key", secret)]).status == 200)
            #expect(try await Self.admin(gateway, .DELETE, "/admin/keys/\(id)").status == 200)
            #expect(try await gateway.post("/v1/chat/completions", json: chat, headers: [("x-api-key", secret)]).status == 401)
            #expect(try await Self.admin(gateway, .PATCH, "/admin/keys/\(id)", json: #"{"note":"x"}"#).status == 400)
        }
    }

    @Test("Costs are kept with each row and totalled by the database", arguments: Backend.available)
    func costsAreKept(backend: Backend) async throws {
        var settings = try await Self.settings(backend)
        defer { MoneyBudgetTests.removeFile(of: settings["DATABASE_URL"] ?? "") }
        settings["TAOTOKEN_APIS"] = "chat,messages"
        try await LiveGateway.run(pricing: distinctPrices, settings) { gateway, _ in
            let calls = [CostCase.all[0], CostCase.all[2]]
            var expected: [Double] = []
            for call in calls {
                #expect(try await gateway.post(call.path, json: call.body).status == 200)
                expected.append(distinctPricesCost(try call.reported(by: gateway.mock)))
            }
            #expect(try await waitUntil { try await gateway.stores.usage.recentRequests(RecentRequestsQuery(limit: 10)).count == 2 })
            let rows = try await gateway.stores.usage.recentRequests(RecentRequestsQuery(limit: 10)).reversed().map(\.record)
            #expect(zip(rows, expected).allSatisfy { abs(($0.cost ?? -1) - $1) < 1e-12 && $0.currency == .CNY })
            let usage = try await Self.admin(gateway, .GET, "/admin/usage?group_by=model")
            let totals = try #require(usage.json["totals"] as? [[String: Any]])
            #expect(totals.map { $0["group"] as? String } == ["claude-sonnet-4-6", "gpt-4o"])
            let total = try #require((usage.json["total"] as? [String: Any])?["cost"] as? [String: Any])
            #expect(abs((total["CNY"] as? Double ?? 0) - expected.reduce(0, +)) < 1e-9)
        }
    }

    @Test("A key's token budget of before becomes a total token budget when the database migrates", arguments: [Backend.sqlite, .postgres])
    func tokenBudgetMigrates(backend: Backend) async throws {
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        switch backend {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-migrate-\(UUID().uuidString).sqlite").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let old = try await SQLiteDatabase.open(path: path, logger: logger, migratingTo: 6)
            try await old.execute(
                "INSERT INTO client_keys (id, name, key_hash, prefix, created_at, token_budget) VALUES ('ck_old', 'old', 'h', 'tg_old', 1, 5000)"
            )
            try await old.close()
            let stores = try await GatewayStores.open(.sqlite(path: path), logger: logger)
            #expect(try await stores.keys.key(id: "ck_old")?.limits.budgets == [.tokens(5000)])
            try await stores.close()
        case .postgres:
            guard TestPostgres.isAvailable else { return }
            let url = try await TestPostgres.freshDatabaseURL()
            let old = try await PostgresDatabase.open(url: url, logger: logger, migratingTo: 7)
            try await old.query(
                "INSERT INTO client_keys (id, name, key_hash, prefix, created_at, token_budget) VALUES ('ck_old', 'old', 'h', 'tg_old', 1, 5000)"
            )
            old.close()
            let stores = try await GatewayStores.open(.postgres(url: url), logger: logger)
            #expect(try await stores.keys.key(id: "ck_old")?.limits.budgets == [.tokens(5000)])
            try await stores.close()
        case .memory:
            break
        }
    }
}
