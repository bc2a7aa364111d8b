import Foundation
import Logging
import Testing

@testable import TaoGate

/// One suite for every back end: each store must behave the same on memory: and sqlite:.
@Suite("Store contract")
struct StoreContractTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case memory, sqlite, postgres
        var testDescription: String { rawValue }

        /// Every back end; PostgreSQL when the tests have a server (always in CI).
        static var available: [Backend] { TestPostgres.isAvailable ? allCases : [.memory, .sqlite] }
    }

    /// Runs `body` with fresh stores of `backend`, closed afterwards.
    static func withStores(_ backend: Backend, _ body: (GatewayStores) async throws -> Void) async throws {
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let location: DatabaseLocation
        var file: String?
        switch backend {
        case .memory:
            location = .memory
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-\(UUID().uuidString)/db.sqlite").path
            file = path
            location = .sqlite(path: path)
        case .postgres:
            location = .postgres(url: try await TestPostgres.freshDatabaseURL())
        }
        let stores = try await GatewayStores.open(location, logger: logger)
        do {
            try await body(stores)
        } catch {
            try? await stores.close()
            throw error
        }
        try await stores.close()
        if let file { try? FileManager.default.removeItem(atPath: (file as NSString).deletingLastPathComponent) }
    }

    static func message(_ role: String, _ content: String) -> StoredMessage {
        StoredMessage(role: role, content: content, timestamp: Date(timeIntervalSince1970: 1_700_000_000))
    }

    @Test("Appended messages come back in order, and recent ones are the last N", arguments: Backend.available)
    func appendedMessagesComeBackInOrder(backend: Backend) async throws {
        try await Self.withStores(backend) { stores in
            let store = stores.conversations
            try await store.append([Self.message("user", "a"), Self.message("assistant", "b")], to: "u", keepingLast: 10)
            try await store.append([Self.message("user", "c"), Self.message("assistant", "d")], to: "u", keepingLast: 10)
            #expect(try await store.messages(of: "u").map(\.content) == ["a", "b", "c", "d"])
            #expect(try await store.recentMessages(of: "u", limit: 3).map(\.content) == ["b", "c", "d"])
            #expect(try await store.recentMessages(of: "u", limit: 0).isEmpty)
            #expect(try await store.messages(of: "u").first?.timestamp == Date(timeIntervalSince1970: 1_700_000_000))
        }
    }

    @Test("Only the last keepingLast messages are kept", arguments: Backend.available)
    func onlyTheLastAreKept(backend: Backend) async throws {
        try await Self.withStores(backend) { stores in
            for index in 0..<5 {
                try await stores.conversations.append([Self.message("user", "m\(index)")], to: "u", keepingLast: 3)
            }
            #expect(try await stores.conversations.messages(of: "u").map(\.content) == ["m2", "m3", "m4"])
        }
    }

    @Test("Conversations are separate and clearing one says how many it held", arguments: Backend.available)
    func conversationsAreSeparate(backend: Backend) async throws {
        try await Self.withStores(backend) { stores in
            try await stores.conversations.append([Self.message("user", "x")], to: "a", keepingLast: 10)
            try await stores.conversations.append([Self.message("user", "y"), Self.message("user", "z")], to: "b", keepingLast: 10)
            #expect(try await stores.conversations.clear("b") == 2)
            #expect(try await stores.conversations.messages(of: "b").isEmpty)
            #expect(try await stores.conversations.messages(of: "a").map(\.content) == ["x"])
            #expect(try await stores.conversations.clear("nobody") == 0)
        }
    }

    @Test("Concurrent appends to one conversation neither lose nor interleave messages", arguments: Backend.available)
    func concurrentAppendsKeepPairs(backend: Backend) async throws {
        try await Self.withStores(backend) { stores in
            let store = stores.conversations
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await store.append(
                            [Self.message("user", "q\(index)"), Self.message("assistant", "a\(index)")],
                            to: "u",
                            keepingLast: 100
                        )
                    }
                }
                try await group.waitForAll()
            }
            let contents = try await store.messages(of: "u").map(\.content)
            #expect(contents.count == 40)
            for pair in stride(from: 0, to: 40, by: 2) {
                #expect(contents[pair + 1] == "a" + contents[pair].dropFirst())
            }
        }
    }

    @Test("A created key is found by its hash until it is revoked", arguments: Backend.available)
    func keysAreFoundUntilRevoked(backend: Backend) async throws {
        try await Self.withStores(backend) { stores in
            let keys = ClientKeys(configured: [], store: stores.keys)
            let (record, secret) = try await keys.create(name: "ci", rateLimit: 5, tokenBudget: 1000)
            #expect(secret.hasPrefix("tg_") && secret.count > 40)
            #expect(try await keys.identify(secret) == .init(id: record.id, limits: KeyLimits(rateLimit: 5, budgets: [.tokens(1000)])))
            #expect(try await keys.identify(secret + "x") == nil)
            #expect(try await stores.keys.all().map(\.name) == ["ci"])
            #expect(try await stores.keys.revoke(record.prefix, at: Date()) == .revoked(id: record.id))
            #expect(try await keys.identify(secret) == nil)
            #expect(try await stores.keys.revoke(record.id, at: Date()) == .notFound)
            #expect(try await stores.keys.hasAnyKey())
            #expect(try await stores.keys.all().first?.isActive == false)
        }
    }

    @Test("Revoking by a prefix that names several active keys revokes none", arguments: Backend.available)
    func ambiguousPrefixRevokesNone(backend: Backend) async throws {
        try await Self.withStores(backend) { stores in
            for id in ["ck_one", "ck_two"] {
                let record = ClientKeyRecord(id: id, name: id, prefix: "tg_abc1234", createdAt: Date())
                try await stores.keys.insert(record, hash: ClientKeys.hash(id))
            }
            #expect(try await stores.keys.revoke("tg_abc", at: Date()) == .ambiguous(matches: 2))
            #expect(try await stores.keys.all().allSatisfy(\.isActive))
            #expect(try await stores.keys.revoke("ck_two", at: Date()) == .revoked(id: "ck_two"))
        }
    }

    @Test("Usage rows add up per key, model and day", arguments: Backend.available)
    func usageAddsUp(backend: Backend) async throws {
        try await Self.withStores(backend) { stores in
            let day = Date(timeIntervalSince1970: 1_764_000_000)  // 2025-11-24
            func row(_ key: String?, _ model: String, _ prompt: Int, _ completion: Int, _ at: Date) -> UsageRecord {
                UsageRecord(
                    at: at,
                    clientKey: key,
                    provider: "p",
                    model: model,
                    status: 200,
                    promptTokens: prompt,
                    completionTokens: completion,
                    latencyMilliseconds: 1,
                    streamed: false,
                    cancelled: false
                )
            }
            try await stores.usage.insert([
                row("k1", "m1", 10, 5, day), row("k1", "m2", 1, 1, day), row("k2", "m1", 100, 50, day.addingTimeInterval(86_400)),
            ])
            #expect(try await stores.usage.tokensUsed(by: "k1") == 17)
            #expect(try await stores.usage.tokensUsed(by: "nobody") == 0)
            let range = (day.addingTimeInterval(-10), day.addingTimeInterval(2 * 86_400))
            let byKey = try await stores.usage.totals(from: range.0, to: range.1, groupBy: .key)
            #expect(
                byKey == [
                    UsageTotal(group: "k1", requests: 2, promptTokens: 11, completionTokens: 6, unpricedRequests: 2),
                    UsageTotal(group: "k2", requests: 1, promptTokens: 100, completionTokens: 50, unpricedRequests: 1),
                ]
            )
            let byModel = try await stores.usage.totals(from: range.0, to: range.1, groupBy: .model)
            #expect(byModel.map(\.group) == ["m1", "m2"])
            #expect(byModel.first?.requests == 2)
            let byDay = try await stores.usage.totals(from: range.0, to: range.1, groupBy: .day)
            #expect(byDay.map(\.group) == ["2025-11-24", "2025-11-25"])
            let firstDayOnly = try await stores.usage.totals(from: range.0, to: day.addingTimeInterval(1), groupBy: .key)
            #expect(firstDayOnly.map(\.requests) == [2])
        }
    }

    @Test("A flush of more rows than one statement carries keeps every row", arguments: Backend.available)
    func largeUsageBatchKeepsEveryRow(backend: Backend) async throws {
        try await Self.withStores(backend) { stores in
            let at = Date(timeIntervalSince1970: 1_764_000_000)
            let rows = (0..<250).map { index in
                UsageRecord(
                    at: at,
                    clientKey: "bulk",
                    provider: "p",
                    model: "m\(index % 3)",
                    status: 200,
                    promptTokens: index,
                    completionTokens: 1,
                    latencyMilliseconds: 1,
                    streamed: index.isMultiple(of: 2),
                    cancelled: false
                )
            }
            try await stores.usage.insert(rows)
            #expect(try await stores.usage.tokensUsed(by: "bulk") == (0..<250).reduce(0, +) + 250)
            let totals = try await stores.usage.totals(from: at.addingTimeInterval(-1), to: at.addingTimeInterval(1), groupBy: .model)
            #expect(totals.map(\.requests) == [84, 83, 83])
        }
    }

    @Test("Two connections writing one SQLite file at once never see \"database is locked\"")
    func sqliteToleratesConcurrentWriters() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-\(UUID().uuidString)/shared.sqlite").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let one = try await GatewayStores.open(.sqlite(path: path), logger: logger)
        let two = try await GatewayStores.open(.sqlite(path: path), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                let store = index.isMultiple(of: 2) ? one.conversations : two.conversations
                group.addTask { try await store.append([Self.message("user", "w\(index)")], to: "shared", keepingLast: 1000) }
            }
            try await group.waitForAll()
        }
        #expect(try await one.conversations.messages(of: "shared").count == 40)
        try await one.close()
        try await two.close()
    }
}

extension StoreContractTests {
    @Test("A key's limits, owner and note are kept, changed and read back by id", arguments: Backend.available)
    func keyLimitsRoundTrip(backend: Backend) async throws {
        try await Self.withStores(backend) { stores in
            let limits = KeyLimits(
                rateLimit: 9,
                maxConcurrent: 2,
                budgets: [.tokens(100, per: .daily), .money(2.5, .USD, per: .monthly)],
                allowedModels: ["gpt-4o", "qwen-*"],
                expiresAt: Date(timeIntervalSince1970: 4_000_000_000)
            )
            var (record, secret) = try await ClientKeys(configured: [], store: stores.keys).create(name: "k", limits: limits, owner: "ann", note: "n")
            let reread = try #require(try await stores.keys.key(id: record.id))
            // A time survives as seconds since 1970 in a double, to within a microsecond.
            #expect(abs(reread.createdAt.timeIntervalSince(record.createdAt)) < 1e-6)
            record.createdAt = reread.createdAt
            #expect(reread == record)
            #expect(try await ClientKeys(configured: [], store: stores.keys).identify(secret)?.limits == limits)
            var changed = record
            changed.name = "renamed"
            changed.owner = nil
            changed.limits = KeyLimits(budgets: [.money(1, .CNY)])
            #expect(try await stores.keys.update(changed))
            #expect(try await stores.keys.key(id: record.id) == changed)
            #expect(try await stores.keys.update(ClientKeyRecord(id: "ck_none", name: "x", prefix: "p", createdAt: Date())) == false)
            _ = try await stores.keys.revoke(record.id, at: Date())
            #expect(try await stores.keys.update(changed) == false)
        }
    }
}
