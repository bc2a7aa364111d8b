import Foundation
import PostgresNIO

/// Client keys in PostgreSQL, shared by every instance.
struct PostgresKeyStore: KeyStore {
    let database: PostgresDatabase

    func insert(_ key: ClientKeyRecord, hash: String) async throws {
        let created = key.createdAt.timeIntervalSince1970
        let limits = key.limits
        let expires = limits.expiresAt?.timeIntervalSince1970
        try await database.query(
            """
            INSERT INTO client_keys (id, name, key_hash, prefix, created_at, rate_limit, max_concurrent, budgets, allowed_models,
                expires_at, owner, note)
            VALUES (\(key.id), \(key.name), \(hash), \(key.prefix), \(created), \(limits.rateLimit), \(limits.maxConcurrent),
                \(limits.budgetsJSON), \(limits.allowedModelsJSON), \(expires), \(key.owner), \(key.note))
            """
        )
    }

    func activeKey(hash: String) async throws -> ClientKeyRecord? {
        try await records("SELECT \(unescaped: Self.columns) FROM client_keys WHERE key_hash = \(hash) AND revoked_at IS NULL").first
    }

    func all() async throws -> [ClientKeyRecord] {
        try await records("SELECT \(unescaped: Self.columns) FROM client_keys ORDER BY created_at")
    }

    func key(id: String) async throws -> ClientKeyRecord? {
        try await records("SELECT \(unescaped: Self.columns) FROM client_keys WHERE id = \(id)").first
    }

    func update(_ record: ClientKeyRecord) async throws -> Bool {
        let limits = record.limits
        let expires = limits.expiresAt?.timeIntervalSince1970
        let rows = try await database.query(
            """
            UPDATE client_keys SET name = \(record.name), rate_limit = \(limits.rateLimit), max_concurrent = \(limits.maxConcurrent),
                budgets = \(limits.budgetsJSON), allowed_models = \(limits.allowedModelsJSON), expires_at = \(expires),
                owner = \(record.owner), note = \(record.note), token_budget = NULL
            WHERE id = \(record.id) AND revoked_at IS NULL RETURNING id
            """
        )
        return !rows.isEmpty
    }

    func hasAnyKey() async throws -> Bool {
        !(try await database.query("SELECT 1 FROM client_keys LIMIT 1")).isEmpty
    }

    func revoke(_ idOrPrefix: String, at date: Date) async throws -> KeyRevocation {
        let active = try await records("SELECT \(unescaped: Self.columns) FROM client_keys WHERE revoked_at IS NULL")
        let matches = KeyRevocation.matches(idOrPrefix, in: active)
        guard matches.count == 1, let key = matches.first else { return matches.isEmpty ? .notFound : .ambiguous(matches: matches.count) }
        let rows = try await database.query(
            "UPDATE client_keys SET revoked_at = \(date.timeIntervalSince1970) WHERE id = \(key.id) AND revoked_at IS NULL RETURNING id"
        )
        return rows.isEmpty ? .notFound : .revoked(id: key.id)
    }

    private static let columns =
        "id, name, prefix, created_at, revoked_at, rate_limit, max_concurrent, budgets, allowed_models, expires_at, owner, note"

    private func records(_ query: PostgresQuery) async throws -> [ClientKeyRecord] {
        var result: [ClientKeyRecord] = []
        let rows = try await database.query(query)
        for (id, name, prefix, created, revoked, rateLimit, maxConcurrent, budgets, models, expires, owner, note) in try rows.decode(
            (String, String, String, Double, Double?, Int?, Int?, String?, String?, Double?, String?, String?).self
        ) {
            result.append(
                ClientKeyRecord(
                    id: id,
                    name: name,
                    prefix: prefix,
                    createdAt: Date(timeIntervalSince1970: created),
                    revokedAt: revoked.map(Date.init(timeIntervalSince1970:)),
                    limits: KeyLimits(
                        rateLimit: rateLimit,
                        maxConcurrent: maxConcurrent,
                        budgets: KeyLimits.budgets(fromJSON: budgets),
                        allowedModels: KeyLimits.models(fromJSON: models),
                        expiresAt: expires.map(Date.init(timeIntervalSince1970:))
                    ),
                    owner: owner,
                    note: note
                )
            )
        }
        return result
    }
}
