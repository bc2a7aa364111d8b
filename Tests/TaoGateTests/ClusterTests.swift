import Foundation
import Hummingbird
import Logging
import MockUpstream
import NIOCore
import Testing

@testable import TaoGate

/// Two TaoGate instances behind one PostgreSQL database, as behind a load balancer.
@Suite("Many instances on PostgreSQL", .enabled(if: TestPostgres.isAvailable))
struct ClusterTests {
    struct Cluster: Sendable {
        let first: String
        let second: String
        let mock: MockUpstream
        let databaseURL: String
        let stores: GatewayStores
    }

    private func withCluster(_ settings: [String: String] = [:], _ body: @escaping @Sendable (Cluster) async throws -> Void) async throws {
        let databaseURL = try await TestPostgres.freshDatabaseURL()
        let mock = MockUpstream(requiredAPIKey: testUpstreamKey)
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let makeMock = { onRunning in mock.makeApplication(logger: quiet, onServerRunning: onRunning) }
        try await withLiveServer(makeMock) { mockPort in
            var values = [
                "TAOTOKEN_API_KEY": testUpstreamKey,
                "TAOTOKEN_BASE_URL": "http://127.0.0.1:\(mockPort)/v1",
                "PORT": "0",
                "DATABASE_URL": databaseURL,
                "UPSTREAM_RETRY_BASE_MS": "1",
            ]
            values.merge(settings) { $1 }
            let configuration = try GatewayConfiguration(values: values)
            let firstStores = try await GatewayStores.open(configuration.database, logger: quiet)
            let secondStores = try await GatewayStores.open(configuration.database, logger: quiet)
            let makeFirst = { onRunning in
                buildApplication(configuration: configuration, stores: firstStores, logger: quiet, onServerRunning: onRunning)
            }
            let makeSecond: @Sendable (@escaping @Sendable (any Channel) async -> Void) -> some ApplicationProtocol = { onRunning in
                buildApplication(configuration: configuration, stores: secondStores, logger: quiet, onServerRunning: onRunning)
            }
            try await withLiveServer(makeFirst) { firstPort in
                try await withLiveServer(makeSecond) { secondPort in
                    try await body(
                        Cluster(
                            first: "http://127.0.0.1:\(firstPort)",
                            second: "http://127.0.0.1:\(secondPort)",
                            mock: mock,
                            databaseURL: databaseURL,
                            stores: firstStores
                        )
                    )
                }
            }
        }
    }

    private func post(_ url: String, _ json: String, headers: [(String, String)] = []) async throws -> TestResponse {
        try await TestResponse.send(.POST, url, body: json, headers: [("Content-Type", "application/json")] + headers)
    }

    @Test("200 parallel calls across two instances spend past a money budget by at most one reservation")
    func clusterBudgetHolds() async throws {
        let pricing = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-cluster-\(UUID().uuidString).yaml")
        try "pricing:\n  currency: CNY\n  models:\n    gpt-4o: { input: 100, output: 1000 }\n".write(to: pricing, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: pricing) }
        try await withCluster(["TAOGATE_CONFIG": pricing.path, "RATE_LIMIT_MAX": "0"]) { cluster in
            let budget = 0.5
            let (_, secret) = try await ClientKeys(configured: [], store: cluster.stores.keys).create(
                name: "shared-budget",
                limits: KeyLimits(budgets: [.money(budget, .CNY)])
            )
            let body = #"{"model":"gpt-4o","max_tokens":20,"messages":[{"role":"user","content":"spend a little money"}]}"#
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    let url = (index.isMultiple(of: 2) ? cluster.first : cluster.second) + "/v1/chat/completions"
                    group.addTask { try await self.post(url, body, headers: [("x-api-key", secret)]).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 })
            let reported = MockReply.usage(for: try #require(cluster.mock.chatRequests.first))
            let each = Double(reported.promptTokens * 100 + reported.completionTokens * 1000) / 1_000_000
            let spent = Double(cluster.mock.chatRequestCount) * each
            let reservation = Double(20 * 1000 + body.utf8.count / 4 * 100) / 1_000_000
            #expect(spent <= budget + reservation + each, "spent \(spent) of \(budget)")
            #expect(spent >= budget - reservation - each)
            // Every hold was given back when its request ended.
            let database = try await PostgresDatabase.open(url: cluster.databaseURL, logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() })
            defer { database.close() }
            #expect(try await database.query("SELECT id FROM budget_reservations").isEmpty)
        }
    }

    @Test("A budget hold left by an instance that went away stops counting after its lifetime, and is pruned")
    func lapsedHoldsStopCounting() async throws {
        let logger = Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }
        let url = try await TestPostgres.freshDatabaseURL()
        let database = try await PostgresDatabase.open(url: url, logger: logger)
        defer { database.close() }
        let ledger = PostgresBudgetLedger(database: database, usage: PostgresUsageStore(database: database), calendar: .utc, holdLifetime: 60)
        let budget = KeyBudget.tokens(100)
        let now = Date()
        _ = try await ledger.reserve([BudgetReservation(budget: budget, amount: 150)], keyID: "ck_gone", now: now)
        await #expect(throws: BudgetRefusal.self) {
            _ = try await ledger.reserve([BudgetReservation(budget: budget, amount: 10)], keyID: "ck_gone", now: now.addingTimeInterval(30))
        }
        _ = try await ledger.reserve([BudgetReservation(budget: budget, amount: 10)], keyID: "ck_gone", now: now.addingTimeInterval(61))
        try await ledger.prune(now: now.addingTimeInterval(3600))
        #expect(try await database.query("SELECT id FROM budget_reservations").isEmpty)
    }

    @Test("A conversation begun on one instance continues on the other")
    func conversationContinuesOnOtherInstance() async throws {
        try await withCluster { cluster in
            let first = try await post(cluster.first + "/api/chat", #"{"message":"hello from A","userId":"roaming"}"#)
            _ = try await post(cluster.second + "/api/chat", #"{"message":"and now B","userId":"roaming"}"#)
            let sent = cluster.mock.chatRequests[1].messages
            #expect(sent.map(\.text) == ["hello from A", first.json["response"] as? String ?? "?", "and now B"])
            let stored = try await TestResponse.send(.GET, cluster.first + "/api/conversations/roaming")
            #expect((stored.json["messages"] as? [Any])?.count == 4)
        }
    }

    @Test("A key created through one instance's database works on the other")
    func keysAreShared() async throws {
        try await withCluster { cluster in
            let (_, secret) = try await ClientKeys(configured: [], store: cluster.stores.keys).create(
                name: "shared",
                rateLimit: nil,
                tokenBudget: nil
            )
            let response = try await post(cluster.second + "/api/chat", #"{"message":"hi"}"#, headers: [("Authorization", "Bearer \(secret)")])
            #expect(response.status == 200)
        }
    }

    @Test("The rate limit is one limit for the cluster: 30 concurrent requests across both, limit 18, exactly 18 pass")
    func rateLimitIsExactAcrossInstances() async throws {
        try await withCluster(["RATE_LIMIT_MAX": "18", "RATE_LIMIT_WINDOW_MS": "60000"]) { cluster in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<30 {
                    let base = index.isMultiple(of: 2) ? cluster.first : cluster.second
                    group.addTask { try await post(base + "/api/chat", #"{"message":"n\#(index)"}"#).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 18)
            #expect(statuses.filter { $0 == 429 }.count == 12)
        }
    }

    @Test("When the database goes away /readyz fails and requests that need it get 503; both recover when it returns")
    func databaseLossAndRecovery() async throws {
        try await withCluster(["RATE_LIMIT_MAX": "0"]) { cluster in
            #expect(try await TestResponse.send(.GET, cluster.first + "/readyz").status == 200)
            try await TestPostgres.drop(cluster.databaseURL)
            let unready = try await TestResponse.send(.GET, cluster.first + "/readyz")
            #expect(unready.status == 503)
            let chat = try await post(cluster.first + "/api/chat", #"{"message":"hi","userId":"lost"}"#)
            #expect(chat.status == 503)
            #expect(chat.json["code"] as? String == "database_unavailable")
            try await TestPostgres.create(cluster.databaseURL)
            var ready = false
            for _ in 0..<50 where !ready {
                ready = try await TestResponse.send(.GET, cluster.first + "/readyz").status == 200
                if !ready { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(ready)
        }
    }
}
