import Logging

/// The stores of one deployment, opened from DATABASE_URL.
public struct GatewayStores: Sendable {
    public let location: DatabaseLocation
    public let conversations: any ConversationStore
    public let keys: any KeyStore
    public let usage: any UsageStore
    private let checkReachable: @Sendable () async throws -> Void
    private let closeDatabase: @Sendable () async throws -> Void

    /// Opens (and migrates) the database. Fails when it cannot be reached.
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws -> GatewayStores {
        switch location {
        case .memory:
            return GatewayStores(
                location: location,
                conversations: MemoryConversationStore(),
                keys: MemoryKeyStore(),
                usage: MemoryUsageStore(),
                checkReachable: {},
                closeDatabase: {}
            )
        case .sqlite(let path):
            let database = try await SQLiteDatabase.open(path: path, logger: logger)
            return GatewayStores(
                location: location,
                conversations: SQLiteConversationStore(database: database),
                keys: SQLiteKeyStore(database: database),
                usage: SQLiteUsageStore(database: database),
                checkReachable: { try await database.execute("SELECT 1") },
                closeDatabase: { try await database.close() }
            )
        case .postgres:
            throw DatabaseUnavailable(reason: "PostgreSQL stores are not in this version yet; use sqlite: or memory:")
        }
    }

    /// Throws when the database cannot answer (for /readyz).
    public func checkReachable() async throws {
        try await checkReachable()
    }

    public func close() async throws {
        try await closeDatabase()
    }
}

/// The database cannot be opened or reached.
public struct DatabaseUnavailable: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
