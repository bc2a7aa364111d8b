import Foundation
import LLMClient
import Logging
import NIOSSL
import PostgresNIO

/// A PostgreSQL database shared by many TaoGate instances: a connection pool, kept running in the
/// background, and the schema migrations (taken under an advisory lock, so instances starting
/// together migrate once).
final class PostgresDatabase: Sendable {
    private let client: PostgresClient
    let logger: Logger
    /// How long one operation may wait: the pool waits for a connection without limit while the
    /// server is away, and a request must fail (503) rather than hang.
    let operationTimeout: Duration = .seconds(5)
    /// How long the migrations may take at start: DDL waits for the advisory lock while another
    /// instance migrates, and for locks held by the running ones.
    let migrationTimeout: Duration = .seconds(120)
    private let runner: Task<Void, Never>

    private init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        self.runner = Task { await client.run() }
    }

    /// Connects (failing within `timeout` when the server cannot be reached) and migrates.
    /// (`version`: migrate up to it only, for tests of a migration; nil: every migration.)
    static func open(url: String, logger: Logger, timeout: Duration = .seconds(5), migratingTo version: Int? = nil) async throws -> PostgresDatabase {
        let database = PostgresDatabase(client: PostgresClient(configuration: try configuration(from: url), backgroundLogger: logger), logger: logger)
        do {
            try await withTimeLimit(timeout, timeoutError: DatabaseUnavailable(reason: "PostgreSQL did not answer within \(timeout)")) {
                _ = try await database.client.query("SELECT 1", logger: logger)
            }
            try await database.migrate(to: version)
        } catch let error as DatabaseUnavailable {
            database.close()
            throw error
        } catch {
            database.close()
            throw DatabaseUnavailable(reason: "PostgreSQL is unreachable: \(String(reflecting: type(of: error)))")
        }
        return database
    }

    func close() {
        runner.cancel()
    }

    /// Throws when the server does not answer.
    func ping() async throws {
        try await query("SELECT 1")
    }

    /// Runs one statement and reads its rows, all within the operation timeout.
    @discardableResult
    func query(_ query: PostgresQuery) async throws -> PostgresRows {
        let client = self.client
        let logger = self.logger
        return try await bounded {
            var rows: [PostgresRow] = []
            for try await row in try await client.query(query, logger: logger) { rows.append(row) }
            return PostgresRows(rows: rows)
        }
    }

    /// Runs `body` in a transaction on one connection, within `timeout` (nil: the operation
    /// timeout).
    func transaction<Value: Sendable>(
        timeout: Duration? = nil,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        let client = self.client
        let logger = self.logger
        return try await bounded(timeout ?? operationTimeout) {
            try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// Runs `operation` within the operation timeout. The driver's errors become
    /// `DatabaseUnavailable` here, so nothing above the stores knows PostgresNIO.
    private func bounded<Value: Sendable>(
        _ timeout: Duration? = nil,
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let timeout = timeout ?? operationTimeout
        do {
            return try await withTimeLimit(
                timeout,
                timeoutError: DatabaseUnavailable(reason: "PostgreSQL did not answer within \(timeout)"),
                operation
            )
        } catch let error as PSQLError {
            throw DatabaseUnavailable(reason: "PostgreSQL failed the operation (\(error.code))")
        }
    }

    /// `postgres://user:password@host:port/database?sslmode=…&sslrootcert=…` (see `PostgresTLSMode`)
    static func configuration(from text: String) throws -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), let host = url.host, !host.isEmpty else {
            throw ConfigurationError(name: "DATABASE_URL", problem: "is not a postgres://user:password@host:port/database URL")
        }
        let tls: PostgresClient.Configuration.TLS
        switch try PostgresTLSMode(url: text) {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try tlsConfiguration(verification: .none, rootCertificate: url))
        case .require: tls = .require(try tlsConfiguration(verification: .none, rootCertificate: url))
        case .verifyCA: tls = .require(try tlsConfiguration(verification: .noHostnameVerification, rootCertificate: url))
        case .verifyFull: tls = .require(try tlsConfiguration(verification: .fullVerification, rootCertificate: url))
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        var configuration = PostgresClient.Configuration(
            host: host,
            port: url.port ?? 5432,
            username: url.user?.removingPercentEncoding ?? "postgres",
            password: url.password?.removingPercentEncoding,
            database: database.isEmpty ? nil : database,
            tls: tls
        )
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// A client TLS configuration; `sslrootcert=PATH` in the URL names the authorities to trust
    /// (else the system's).
    private static func tlsConfiguration(verification: CertificateVerification, rootCertificate url: URLComponents) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = verification
        if let path = url.queryItems?.first(where: { $0.name == "sslrootcert" })?.value {
            guard FileManager.default.fileExists(atPath: path) else {
                throw ConfigurationError(name: "DATABASE_URL", problem: "names sslrootcert=\(path), which cannot be read")
            }
            configuration.trustRoots = .file(path)
        }
        return configuration
    }

    // MARK: - Migrations

    private func migrate(to version: Int?) async throws {
        let logger = self.logger
        try await transaction(timeout: migrationTimeout) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(727274)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)",
                logger: logger
            )
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            for migration in Self.migrations where !applied.contains(migration.version) && migration.version <= version ?? .max {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let now = Date().timeIntervalSince1970
                try await connection.query(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (\(migration.version), \(now))",
                    logger: logger
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
                    id BIGSERIAL PRIMARY KEY,
                    conversation_id TEXT NOT NULL,
                    role TEXT NOT NULL,
                    content TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL
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
                    created_at DOUBLE PRECISION NOT NULL,
                    revoked_at DOUBLE PRECISION,
                    rate_limit INTEGER,
                    token_budget BIGINT
                )
                """
            ]
        ),
        Migration(
            version: 3,
            statements: [
                """
                CREATE TABLE usage_records (
                    id BIGSERIAL PRIMARY KEY,
                    at DOUBLE PRECISION NOT NULL,
                    client_key TEXT,
                    provider TEXT,
                    model TEXT,
                    status INTEGER NOT NULL,
                    prompt_tokens BIGINT NOT NULL,
                    completion_tokens BIGINT NOT NULL,
                    latency_ms DOUBLE PRECISION NOT NULL,
                    streamed BOOLEAN NOT NULL,
                    cancelled BOOLEAN NOT NULL
                )
                """,
                "CREATE INDEX usage_records_by_time ON usage_records (at)",
                "CREATE INDEX usage_records_by_key ON usage_records (client_key, at)",
            ]
        ),
        Migration(
            version: 4,
            statements: [
                """
                CREATE TABLE rate_limits (
                    client TEXT PRIMARY KEY,
                    count INTEGER NOT NULL,
                    reset_at DOUBLE PRECISION NOT NULL
                )
                """
            ]
        ),
        Migration(
            version: 5,
            statements: [
                "ALTER TABLE usage_records ADD COLUMN cache_read_tokens BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE usage_records ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE usage_records ADD COLUMN reasoning_tokens BIGINT NOT NULL DEFAULT 0",
            ]
        ),
        Migration(version: 6, statements: ["ALTER TABLE client_keys ADD COLUMN max_concurrent INTEGER"]),
        Migration(
            version: 7,
            statements: [
                """
                CREATE TABLE stored_responses (
                    id TEXT PRIMARY KEY,
                    client_key TEXT,
                    created_at DOUBLE PRECISION NOT NULL,
                    expires_at DOUBLE PRECISION NOT NULL,
                    response TEXT NOT NULL,
                    conversation TEXT NOT NULL
                )
                """,
                "CREATE INDEX stored_responses_by_expiry ON stored_responses (expires_at)",
            ]
        ),
        Migration(
            version: 8,
            statements: [
                "ALTER TABLE client_keys ADD COLUMN budgets TEXT",
                "ALTER TABLE client_keys ADD COLUMN allowed_models TEXT",
                "ALTER TABLE client_keys ADD COLUMN expires_at DOUBLE PRECISION",
                "ALTER TABLE client_keys ADD COLUMN owner TEXT",
                "ALTER TABLE client_keys ADD COLUMN note TEXT",
                // A token budget of before becomes a budget over the key's whole life.
                #"UPDATE client_keys SET budgets = '[{"period":"total","tokens":' || token_budget || '}]' WHERE token_budget IS NOT NULL"#,
                "ALTER TABLE usage_records ADD COLUMN request_id TEXT",
                "ALTER TABLE usage_records ADD COLUMN duration_ms DOUBLE PRECISION",
                "ALTER TABLE usage_records ADD COLUMN cost DOUBLE PRECISION",
                "ALTER TABLE usage_records ADD COLUMN currency TEXT",
                """
                CREATE TABLE usage_daily (
                    day TEXT NOT NULL,
                    day_start DOUBLE PRECISION NOT NULL,
                    client_key TEXT NOT NULL,
                    model TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    requests BIGINT NOT NULL,
                    prompt_tokens BIGINT NOT NULL,
                    completion_tokens BIGINT NOT NULL,
                    cache_read_tokens BIGINT NOT NULL,
                    cache_write_tokens BIGINT NOT NULL,
                    reasoning_tokens BIGINT NOT NULL,
                    cost DOUBLE PRECISION,
                    unpriced BIGINT NOT NULL,
                    PRIMARY KEY (day, client_key, model, currency)
                )
                """,
                "CREATE INDEX usage_daily_by_key ON usage_daily (client_key, day_start)",
            ]
        ),
        Migration(
            version: 9,
            statements: [
                """
                CREATE TABLE budget_usage (
                    key_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    period_start DOUBLE PRECISION NOT NULL,
                    used DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (key_id, kind, period_start)
                )
                """,
                """
                CREATE TABLE budget_reservations (
                    id BIGSERIAL PRIMARY KEY,
                    key_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    period_start DOUBLE PRECISION NOT NULL,
                    amount DOUBLE PRECISION NOT NULL,
                    expires_at DOUBLE PRECISION NOT NULL
                )
                """,
                "CREATE INDEX budget_reservations_by_key ON budget_reservations (key_id, kind, period_start)",
            ]
        ),
    ]
}

/// The rows of one statement, read whole.
struct PostgresRows: Sendable {
    let rows: [PostgresRow]

    var isEmpty: Bool { rows.isEmpty }
    var count: Int { rows.count }

    /// Each row as the given column types.
    func decode<Columns: PostgresDecodable>(_ type: Columns.Type) throws -> [Columns] {
        try rows.map { try $0.decode(type) }
    }

    func decode<each Column: PostgresDecodable>(_ type: (repeat each Column).Type) throws -> [(repeat each Column)] {
        try rows.map { try $0.decode(type) }
    }
}
