import Foundation
import SQLiteNIO

/// Translated responses in a SQLite file.
struct SQLiteResponseStore: ResponseStore {
    let database: SQLiteDatabase

    func save(_ response: StoredResponse) async throws {
        try await database.transaction { unit in
            try await unit.execute(
                """
                INSERT OR REPLACE INTO stored_responses (id, client_key, created_at, expires_at, response, conversation)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(response.id), response.clientKey.map { .text($0) } ?? .null, .float(response.createdAt.timeIntervalSince1970),
                    .float(response.expiresAt.timeIntervalSince1970), .text(response.response), .text(response.conversation),
                ]
            )
            // Expired responses go a few at a time, off no request's critical path but this one.
            try await unit.execute(
                "DELETE FROM stored_responses WHERE id IN (SELECT id FROM stored_responses WHERE expires_at < ? LIMIT 100)",
                [.float(Date().timeIntervalSince1970)]
            )
        }
    }

    func response(id: String, clientKey: String?, now: Date) async throws -> StoredResponse? {
        let rows = try await database.query(
            "SELECT * FROM stored_responses WHERE id = ? AND client_key IS ? AND expires_at > ?",
            [.text(id), clientKey.map { .text($0) } ?? .null, .float(now.timeIntervalSince1970)]
        )
        return rows.first.map { row in
            StoredResponse(
                id: row.column("id")?.string ?? "",
                clientKey: row.column("client_key")?.string,
                createdAt: Date(timeIntervalSince1970: row.column("created_at")?.double ?? 0),
                expiresAt: Date(timeIntervalSince1970: row.column("expires_at")?.double ?? 0),
                response: row.column("response")?.string ?? "",
                conversation: row.column("conversation")?.string ?? "[]"
            )
        }
    }

    func delete(id: String, clientKey: String?) async throws -> Bool {
        try await database.transaction { unit in
            let found = try await unit.query(
                "SELECT id FROM stored_responses WHERE id = ? AND client_key IS ?",
                [.text(id), clientKey.map { .text($0) } ?? .null]
            )
            guard !found.isEmpty else { return false }
            try await unit.execute("DELETE FROM stored_responses WHERE id = ?", [.text(id)])
            return true
        }
    }
}
