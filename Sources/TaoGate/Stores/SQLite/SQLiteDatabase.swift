import Foundation
import Logging
import NIOCore
import SQLiteNIO
import Synchronization

/// One SQLite database file in WAL mode, shared by the SQLite stores.
///
/// Writes are durable once they return (synchronous=FULL), so nothing acknowledged is lost when
/// the process is killed. A busy timeout lets several processes share the file without
/// "database is locked". Work runs one unit at a time on a single connection.
final class SQLiteDatabase: Sendable {
    private let connection: SQLiteConnection
    private let lock = AsyncLock()

    private init(connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Opens (creating the folder and the file if needed) and migrates the database, up to
    /// `version` (tests of a migration stop before it; nil: every migration).
    static func open(path: String, logger: Logger, migratingTo version: Int? = nil) async throws -> SQLiteDatabase {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let database = SQLiteDatabase(connection: connection)
        do {
            try await database.execute("PRAGMA busy_timeout = 5000")
            try await database.switchingToWAL()
            try await database.execute("PRAGMA synchronous = FULL")
            try await database.execute("PRAGMA foreign_keys = ON")
            try await database.migrate(to: version)
        } catch {
            try? await connection.close()
            throw error
        }
        return database
    }

    /// Turns the file to write-ahead logging. A new file's switch needs it alone, and SQLite
    /// answers "database is locked" at once, without the busy timeout, while another process
    /// holds it (migrating it too): so the switch is tried again, for up to the busy timeout.
    private func switchingToWAL() async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        try await Self.mappingErrors {
            while true {
                do {
                    return try await Unit(connection: connection).execute("PRAGMA journal_mode = WAL")
                } catch let error as SQLiteError where error.reason == .busy && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
        }
    }

    func close() async throws {
        try await connection.close()
    }

    /// Runs `body` alone on the connection, inside a transaction. The driver's errors become
    /// `DatabaseUnavailable` here, so nothing above the stores knows SQLiteNIO.
    func transaction<Value: Sendable>(_ body: (SQLiteDatabase.Unit) async throws -> Value) async throws -> Value {
        try await Self.mappingErrors {
            try await locked(body)
        }
    }

    private func locked<Value: Sendable>(_ body: (SQLiteDatabase.Unit) async throws -> Value) async throws -> Value {
        try await lock.withLock {
            let unit = Unit(connection: connection)
            try await unit.execute("BEGIN IMMEDIATE")
            do {
                let value = try await body(unit)
                try await unit.execute("COMMIT")
                return value
            } catch {
                try? await unit.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// One statement, alone on the connection.
    @discardableResult
    func query(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        try await Self.mappingErrors {
            try await lock.withLock { try await Unit(connection: connection).query(sql, binds) }
        }
    }

    private static func mappingErrors<Value>(_ operation: () async throws -> Value) async throws -> Value {
        do {
            return try await operation()
        } catch let error as SQLiteError {
            throw DatabaseUnavailable(reason: "SQLite failed the operation (\(error.reason): \(error.message))")
        }
    }

    func execute(_ sql: String, _ binds: [SQLiteData] = []) async throws {
        try await query(sql, binds)
    }

    /// The statements of one locked unit of work.
    ///
    /// A statement runs to its end even when the calling task is cancelled (a client that left):
    /// the driver's async API would skip it then, and a transaction whose `ROLLBACK` or `COMMIT`
    /// is skipped stays open on the shared connection, where every later `BEGIN` fails and the
    /// statements of others would be rolled back with it. So statements go through the driver's
    /// futures, which are not cancelled; each is short, and a unit of work ends as a whole.
    struct Unit: Sendable {
        let connection: SQLiteConnection

        @discardableResult
        func query(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
            let rows: EventLoopFuture<[SQLiteRow]> = connection.query(sql, binds)
            return try await rows.get()
        }

        func execute(_ sql: String, _ binds: [SQLiteData] = []) async throws {
            try await query(sql, binds)
        }
    }

    // MARK: - Migrations

    /// Applies the migrations not applied yet, all in one write transaction: a second process
    /// migrating the same file at once waits for the first (busy timeout), then finds them applied.
    private func migrate(to version: Int?) async throws {
        try await transaction { unit in
            try await unit.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)")
            let applied = Set(try await unit.query("SELECT version FROM schema_migrations").compactMap { $0.column("version")?.integer })
            for migration in Self.migrations where !applied.contains(migration.version) && migration.version <= version ?? .max {
                for statement in migration.statements { try await unit.execute(statement) }
                try await unit.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    [.integer(migration.version), .float(Date().timeIntervalSince1970)]
                )
            }
        }
    }

    struct Migration {
        let version: Int
        let statements: [String]
    }

    static let migrations = [
        Migration(
            version: 1,
            statements: [
                """
                CREATE TABLE conversation_messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    conversation_id TEXT NOT NULL,
                    role TEXT NOT NULL,
                    content TEXT NOT NULL,
                    created_at REAL NOT NULL
                )
                """,
                "CREATE INDEX conversation_messages_by_conversation ON conversation_messages (conversation_id, id)",
            ]
        ),
        Migration(
            version: 2,
            statements: [
                """
                CREATE TABLE client_keys (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    key_hash TEXT NOT NULL UNIQUE,
                    prefix TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    revoked_at REAL,
                    rate_limit INTEGER,
                    token_budget INTEGER
                )
                """
            ]
        ),
        Migration(
            version: 3,
            statements: [
                """
                CREATE TABLE usage_records (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    client_key TEXT,
                    provider TEXT,
                    model TEXT,
                    status INTEGER NOT NULL,
                    prompt_tokens INTEGER NOT NULL,
                    completion_tokens INTEGER NOT NULL,
                    latency_ms REAL NOT NULL,
                    streamed INTEGER NOT NULL,
                    cancelled INTEGER NOT NULL
                )
                """,
                "CREATE INDEX usage_records_by_time ON usage_records (at)",
                "CREATE INDEX usage_records_by_key ON usage_records (client_key, at)",
            ]
        ),
        Migration(
            version: 4,
            statements: [
                "ALTER TABLE usage_records ADD COLUMN cache_read_tokens INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE usage_records ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE usage_records ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0",
            ]
        ),
        Migration(version: 5, statements: ["ALTER TABLE client_keys ADD COLUMN max_concurrent INTEGER"]),
        Migration(
            version: 6,
            statements: [
                """
                CREATE TABLE stored_responses (
                    id TEXT PRIMARY KEY,
                    client_key TEXT,
                    created_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    response TEXT NOT NULL,
                    conversation TEXT NOT NULL
                )
                """,
                "CREATE INDEX stored_responses_by_expiry ON stored_responses (expires_at)",
            ]
        ),
        Migration(
            version: 7,
            statements: [
                "ALTER TABLE client_keys ADD COLUMN budgets TEXT",
                "ALTER TABLE client_keys ADD COLUMN allowed_models TEXT",
                "ALTER TABLE client_keys ADD COLUMN expires_at REAL",
                "ALTER TABLE client_keys ADD COLUMN owner TEXT",
                "ALTER TABLE client_keys ADD COLUMN note TEXT",
                // A token budget of before becomes a budget over the key's whole life.
                #"UPDATE client_keys SET budgets = '[{"period":"total","tokens":' || token_budget || '}]' WHERE token_budget IS NOT NULL"#,
                "ALTER TABLE usage_records ADD COLUMN request_id TEXT",
                "ALTER TABLE usage_records ADD COLUMN duration_ms REAL",
                "ALTER TABLE usage_records ADD COLUMN cost REAL",
                "ALTER TABLE usage_records ADD COLUMN currency TEXT",
                """
                CREATE TABLE usage_daily (
                    day TEXT NOT NULL,
                    day_start REAL NOT NULL,
                    client_key TEXT NOT NULL,
                    model TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    requests INTEGER NOT NULL,
                    prompt_tokens INTEGER NOT NULL,
                    completion_tokens INTEGER NOT NULL,
                    cache_read_tokens INTEGER NOT NULL,
                    cache_write_tokens INTEGER NOT NULL,
                    reasoning_tokens INTEGER NOT NULL,
                    cost REAL,
                    unpriced INTEGER NOT NULL,
                    PRIMARY KEY (day, client_key, model, currency)
                )
                """,
                "CREATE INDEX usage_daily_by_key ON usage_daily (client_key, day_start)",
            ]
        ),
    ]
}

extension SQLiteConnection {
    /// All rows of one statement.
    func query(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        let rows = RowCollector()
        try await query(sql, binds) { rows.append($0) }
        return rows.all
    }
}

/// Gathers rows from sqlite-nio's row callback.
private final class RowCollector: Sendable {
    private let rows = Mutex<[SQLiteRow]>([])
    func append(_ row: SQLiteRow) { rows.withLock { $0.append(row) } }
    var all: [SQLiteRow] { rows.withLock { $0 } }
}
