import Foundation
import PostgresNIO

/// Client keys in PostgreSQL, shared by every instance.
struct PostgresKeyStore: KeyStore {
    let database: PostgresDatabase

    func insert(_ key: ClientKeyRecord, hash: String) async throws {
        let created = key.createdAt.timeIntervalSince1970
        try await database.query(
            """
            INSERT INTO client_keys (id, name, key_hash, prefix, created_at, rate_limit, token_budget)
            VALUES (\(key.id), \(key.name), \(hash), \(key.prefix), \(created), \(key.rateLimit), \(key.tokenBudget))
            """
        )
    }

    func activeKey(hash: String) async throws -> ClientKeyRecord? {
        try await records("SELECT \(unescaped: Self.columns) FROM client_keys WHERE key_hash = \(hash) AND revoked_at IS NULL").first
    }

    func all() async throws -> [ClientKeyRecord] {
        try await records("SELECT \(unescaped: Self.columns) FROM client_keys ORDER BY created_at")
    }

    func revoke(_ idOrPrefix: String, at date: Date) async throws -> Bool {
        let rows = try await database.query(
            """
            UPDATE client_keys SET revoked_at = \(date.timeIntervalSince1970)
            WHERE id = (SELECT id FROM client_keys WHERE (id = \(idOrPrefix) OR prefix = \(idOrPrefix)) AND revoked_at IS NULL LIMIT 1)
            RETURNING id
            """
        )
        for try await _ in rows { return true }
        return false
    }

    private static let columns = "id, name, prefix, created_at, revoked_at, rate_limit, token_budget"

    private func records(_ query: PostgresQuery) async throws -> [ClientKeyRecord] {
        var result: [ClientKeyRecord] = []
        let rows = try await database.query(query)
        for try await (id, name, prefix, created, revoked, rateLimit, budget) in rows.decode(
            (String, String, String, Double, Double?, Int?, Int?).self
        ) {
            result.append(
                ClientKeyRecord(
                    id: id,
                    name: name,
                    prefix: prefix,
                    createdAt: Date(timeIntervalSince1970: created),
                    revokedAt: revoked.map(Date.init(timeIntervalSince1970:)),
                    rateLimit: rateLimit,
                    tokenBudget: budget
                )
            )
        }
        return result
    }
}
