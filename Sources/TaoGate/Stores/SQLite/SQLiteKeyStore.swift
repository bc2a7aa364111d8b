import Foundation
import SQLiteNIO

/// Client keys in a SQLite file.
struct SQLiteKeyStore: KeyStore {
    let database: SQLiteDatabase

    func insert(_ key: ClientKeyRecord, hash: String) async throws {
        try await database.execute(
            """
            INSERT INTO client_keys (id, name, key_hash, prefix, created_at, revoked_at, rate_limit, max_concurrent,
                budgets, allowed_models, expires_at, owner, note)
            VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(key.id), .text(key.name), .text(hash), .text(key.prefix), .float(key.createdAt.timeIntervalSince1970)]
                + Self.changeable(key)
        )
    }

    func activeKey(hash: String) async throws -> ClientKeyRecord? {
        try await database.query("SELECT * FROM client_keys WHERE key_hash = ? AND revoked_at IS NULL", [.text(hash)]).first.map(Self.record)
    }

    func all() async throws -> [ClientKeyRecord] {
        try await database.query("SELECT * FROM client_keys ORDER BY created_at").map(Self.record)
    }

    func key(id: String) async throws -> ClientKeyRecord? {
        try await database.query("SELECT * FROM client_keys WHERE id = ?", [.text(id)]).first.map(Self.record)
    }

    func update(_ record: ClientKeyRecord) async throws -> Bool {
        try await database.transaction { unit in
            let rows = try await unit.query("SELECT id FROM client_keys WHERE id = ? AND revoked_at IS NULL", [.text(record.id)])
            guard !rows.isEmpty else { return false }
            try await unit.execute(
                """
                UPDATE client_keys SET name = ?, rate_limit = ?, max_concurrent = ?, budgets = ?, allowed_models = ?,
                    expires_at = ?, owner = ?, note = ?, token_budget = NULL
                WHERE id = ?
                """,
                [.text(record.name)] + Self.changeable(record) + [.text(record.id)]
            )
            return true
        }
    }

    func hasAnyKey() async throws -> Bool {
        !(try await database.query("SELECT 1 AS one FROM client_keys LIMIT 1")).isEmpty
    }

    func revoke(_ idOrPrefix: String, at date: Date) async throws -> KeyRevocation {
        try await database.transaction { unit in
            let active = try await unit.query("SELECT * FROM client_keys WHERE revoked_at IS NULL").map(Self.record)
            let matches = KeyRevocation.matches(idOrPrefix, in: active)
            guard matches.count == 1, let key = matches.first else { return matches.isEmpty ? .notFound : .ambiguous(matches: matches.count) }
            try await unit.execute("UPDATE client_keys SET revoked_at = ? WHERE id = ?", [.float(date.timeIntervalSince1970), .text(key.id)])
            return .revoked(id: key.id)
        }
    }

    /// rate_limit, max_concurrent, budgets, allowed_models, expires_at, owner, note.
    private static func changeable(_ key: ClientKeyRecord) -> [SQLiteData] {
        let limits = key.limits
        return [
            limits.rateLimit.map { .integer($0) } ?? .null, limits.maxConcurrent.map { .integer($0) } ?? .null,
            limits.budgetsJSON.map { .text($0) } ?? .null, limits.allowedModelsJSON.map { .text($0) } ?? .null,
            limits.expiresAt.map { .float($0.timeIntervalSince1970) } ?? .null,
            key.owner.map { .text($0) } ?? .null, key.note.map { .text($0) } ?? .null,
        ]
    }

    private static func record(_ row: SQLiteRow) -> ClientKeyRecord {
        ClientKeyRecord(
            id: row.column("id")?.string ?? "",
            name: row.column("name")?.string ?? "",
            prefix: row.column("prefix")?.string ?? "",
            createdAt: Date(timeIntervalSince1970: row.column("created_at")?.double ?? 0),
            revokedAt: row.column("revoked_at")?.double.map(Date.init(timeIntervalSince1970:)),
            limits: KeyLimits(
                rateLimit: row.column("rate_limit")?.integer,
                maxConcurrent: row.column("max_concurrent")?.integer,
                budgets: KeyLimits.budgets(fromJSON: row.column("budgets")?.string),
                allowedModels: KeyLimits.models(fromJSON: row.column("allowed_models")?.string),
                expiresAt: row.column("expires_at")?.double.map(Date.init(timeIntervalSince1970:))
            ),
            owner: row.column("owner")?.string,
            note: row.column("note")?.string
        )
    }
}
