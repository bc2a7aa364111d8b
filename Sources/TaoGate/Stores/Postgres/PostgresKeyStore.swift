import Foundation
import PostgresNIO

/// Client keys in PostgreSQL, shared by every instance.
struct PostgresKeyStore: KeyStore {
    let database: PostgresDatabase

    func insert(_ key: ClientKeyRecord, hash: String) async throws {
        let created = key.createdAt.timeIntervalSince1970
        try await database.query(
            """
            INSERT INTO client_keys (id, name, key_hash, prefix, created_at, rate_limit, token_budget, max_concurrent)
            VALUES (\(key.id), \(key.name), \(hash), \(key.prefix), \(created), \(key.rateLimit), \(key.tokenBudget), \(key.maxConcurrent))
            """
        )
    }

    func activeKey(hash: String) async throws -> ClientKeyRecord? {
        try await records("SELECT \(unescaped: Self.columns) FROM client_keys WHERE key_hash = \(hash) AND revoked_at IS NULL").first
    }

    func all() async throws -> [ClientKeyRecord] {
        try await records("SELECT \(unescaped: Self.columns) FROM client_keys ORDER BY created_at")
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

    private static let columns = "id, name, prefix, created_at, revoked_at, rate_limit, token_budget, max_concurrent"

    private func records(_ query: PostgresQuery) async throws -> [ClientKeyRecord] {
        var result: [ClientKeyRecord] = []
        let rows = try await database.query(query)
        for (id, name, prefix, created, revoked, rateLimit, budget, maxConcurrent) in try rows.decode(
            (String, String, String, Double, Double?, Int?, Int?, Int?).self
        ) {
            result.append(
                ClientKeyRecord(
                    id: id,
                    name: name,
                    prefix: prefix,
                    createdAt: Date(timeIntervalSince1970: created),
                    revokedAt: revoked.map(Date.init(timeIntervalSince1970:)),
                    rateLimit: rateLimit,
                    tokenBudget: budget,
                    maxConcurrent: maxConcurrent
                )
            )
        }
        return result
    }
}
