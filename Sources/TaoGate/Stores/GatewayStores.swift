import Logging

/// The stores of one deployment, opened from DATABASE_URL: conversations, client keys, usage,
/// and (with PostgreSQL) the cluster-wide rate limit and budget ledger.
public struct GatewayStores: Sendable {
    public let location: DatabaseLocation
    public let conversations: any ConversationStore
    public let keys: any KeyStore
    public let usage: any UsageStore
    public let responses: any ResponseStore
    private let makeRateLimiter: @Sendable (Int, Duration) -> any RateLimiting
    private let makeBudgetLedger: @Sendable (UsageCalendar) -> any BudgetLedger
    private let checkReachable: @Sendable () async throws -> Void
    private let closeDatabase: @Sendable () async throws -> Void

    /// Opens (and migrates) the database. Fails when it cannot be reached.
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws -> GatewayStores {
        switch location {
        case .memory:
            let usage = MemoryUsageStore()
            return GatewayStores(
                location: location,
                conversations: MemoryConversationStore(),
                keys: MemoryKeyStore(),
                usage: usage,
                responses: MemoryResponseStore(),
                makeRateLimiter: { RateLimiter(limit: $0, window: $1) },
                makeBudgetLedger: { LocalBudgetLedger(usage: usage, calendar: $0) },
                checkReachable: {},
                closeDatabase: {}
            )
        case .sqlite(let path):
            let database = try await SQLiteDatabase.open(path: path, logger: logger)
            let usage = SQLiteUsageStore(database: database)
            return GatewayStores(
                location: location,
                conversations: SQLiteConversationStore(database: database),
                keys: SQLiteKeyStore(database: database),
                usage: usage,
                responses: SQLiteResponseStore(database: database),
                makeRateLimiter: { RateLimiter(limit: $0, window: $1) },
                makeBudgetLedger: { LocalBudgetLedger(usage: usage, calendar: $0) },
                checkReachable: { try await database.execute("SELECT 1") },
                closeDatabase: { try await database.close() }
            )
        case .postgres(let url):
            let database = try await PostgresDatabase.open(url: url, logger: logger)
            let usage = PostgresUsageStore(database: database)
            return GatewayStores(
                location: location,
                conversations: PostgresConversationStore(database: database),
                keys: PostgresKeyStore(database: database),
                usage: usage,
                responses: PostgresResponseStore(database: database),
                makeRateLimiter: { PostgresRateLimiter(database: database, limit: $0, window: $1) },
                makeBudgetLedger: { PostgresBudgetLedger(database: database, usage: usage, calendar: $0) },
                checkReachable: { try await database.ping() },
                closeDatabase: { database.close() }
            )
        }
    }

    /// The rate limiter that fits the database: one per instance in memory, or one for the whole
    /// cluster in PostgreSQL.
    func rateLimiter(limit: Int, window: Duration) -> any RateLimiting {
        makeRateLimiter(limit, window)
    }

    /// The budget ledger that fits the database: one per instance in memory and SQLite, or one for
    /// the whole cluster in PostgreSQL.
    func budgetLedger(calendar: UsageCalendar) -> any BudgetLedger {
        makeBudgetLedger(calendar)
    }

    /// Throws when the database cannot answer (for /readyz).
    public func checkReachable() async throws {
        try await checkReachable()
    }

    public func close() async throws {
        try await closeDatabase()
    }
}
