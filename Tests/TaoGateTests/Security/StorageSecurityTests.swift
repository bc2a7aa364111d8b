import Foundation
import Logging
import Synchronization
import Testing

@testable import TaoGate

/// What one bad row, a long outage or a long life can do to the stores.
@Suite("Security: storage")
struct StorageSecurityTests {
    private static func record(model: String) -> UsageRecord {
        UsageRecord(
            at: Date(),
            clientKey: "ck_a",
            provider: "p",
            model: model,
            status: 200,
            promptTokens: 1,
            completionTokens: 1,
            latencyMilliseconds: 1,
            streamed: false,
            cancelled: false
        )
    }

    @Test("A row the database refuses is set aside and the rest of the batch is written")
    func refusedRowsAreSetAside() async throws {
        let store = RefusingUsageStore(refusing: "bad")
        let recorder = UsageRecorder(store: store, logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }, metrics: GatewayMetrics())
        for model in ["a", "bad", "b"] { recorder.record(Self.record(model: model)) }
        await recorder.flush()
        #expect(await store.written.map(\.model) == ["a", "b"])
        #expect(recorder.bufferedCount == 0)
    }

    @Test("A NUL in a row does not stop usage recording on PostgreSQL", .enabled(if: TestPostgres.isAvailable))
    func postgresRefusalDoesNotWedge() async throws {
        let url = try await TestPostgres.freshDatabaseURL()
        let logger = Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }
        let stores = try await GatewayStores.open(.postgres(url: url), logger: logger)
        let recorder = UsageRecorder(store: stores.usage, isReachable: { (try? await stores.checkReachable()) != nil }, logger: logger)
        for model in ["gpt-4o", "gpt-4o\u{0}", "claude"] { recorder.record(Self.record(model: model)) }
        await recorder.flush()
        let totals = try await stores.usage.totals(from: .distantPast, to: .distantFuture, groupBy: .model)
        #expect(totals.map(\.group) == ["claude", "gpt-4o"])
        #expect(recorder.bufferedCount == 0)
        try await stores.close()
    }

    @Test("While the database is away, rows wait in a bounded buffer and the oldest go first")
    func bufferIsBounded() async throws {
        let store = RefusingUsageStore(refusing: nil, down: true)
        let recorder = UsageRecorder(
            store: store,
            isReachable: { false },
            maxBuffered: 100,
            logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }
        )
        for index in 0..<250 { recorder.record(Self.record(model: "m\(index)")) }
        await recorder.flush()
        #expect(recorder.bufferedCount == 100)
    }

    @Test("The memory: usage store keeps a bounded number of rows and each key's running total")
    func memoryStoreIsBounded() async throws {
        let store = MemoryUsageStore(maxRows: 100)
        for _ in 0..<50 { await store.insert((0..<10).map { _ in Self.record(model: "m") }) }
        #expect(await store.all.count <= 110)
        #expect(try await store.tokensUsed(by: "ck_a") == 1000)
    }

    @Test("Two processes migrating one new SQLite file at once both succeed")
    func concurrentMigrationsSucceed() async throws {
        for round in 0..<4 {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-migrate-\(UUID().uuidString).sqlite").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let environment = ProcessInfo.processInfo.environment.merging(["DATABASE_URL": "sqlite:\(path)"]) { $1 }
            let outcomes = try await withThrowingTaskGroup(of: ProcessOutcome.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await ProcessRunner.run(CommandLineTests.executable, ["migrate", "--env-file", "/nonexistent"], environment: environment)
                    }
                }
                return try await group.reduce(into: [ProcessOutcome]()) { $0.append($1) }
            }
            #expect(outcomes.allSatisfy { $0.status == 0 }, "round \(round): \(outcomes.map(\.errors))")
        }
    }

    @Test("taogate migrate never prints the database password", .enabled(if: TestPostgres.isAvailable))
    func migratePrintsNoPassword() async throws {
        var url = try #require(URLComponents(string: try await TestPostgres.freshDatabaseURL()))
        url.password = "not-checked-by-trust-auth"
        let environment = ProcessInfo.processInfo.environment.merging(["DATABASE_URL": url.string!]) { $1 }
        let outcome = try await ProcessRunner.run(CommandLineTests.executable, ["migrate", "--env-file", "/nonexistent"], environment: environment)
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(!(outcome.output + outcome.errors).contains("not-checked-by-trust-auth"))
    }
}

/// A usage store that refuses rows of one model (as PostgreSQL refuses a NUL), or all rows.
actor RefusingUsageStore: UsageStore {
    struct Refused: Error {}

    let refusing: String?
    let down: Bool
    private(set) var written: [UsageRecord] = []

    init(refusing: String?, down: Bool = false) {
        self.refusing = refusing
        self.down = down
    }

    func insert(_ records: [UsageRecord]) throws {
        if down || records.contains(where: { $0.model == refusing }) { throw Refused() }
        written += records
    }

    func spent(by clientKey: String, since: Date?) -> Spend { Spend() }
    func totals(_ query: UsageQuery, calendar: UsageCalendar) -> [UsageTotal] { [] }
    func recentRequests(_ query: RecentRequestsQuery) -> [UsageRow] { [] }
    func rollUp(before cutoff: Date, batch: Int, calendar: UsageCalendar) -> Int { 0 }
}
