import Foundation
import PostgresNIO

/// Translated responses in PostgreSQL, shared by every instance: a chain of
/// `previous_response_id` may go on through any of them.
struct PostgresResponseStore: ResponseStore {
    let database: PostgresDatabase

    func save(_ response: StoredResponse) async throws {
        let logger = database.logger
        try await database.transaction { connection in
            try await connection.query(
                """
                INSERT INTO stored_responses (id, client_key, created_at, expires_at, response, conversation)
                VALUES (\(response.id), \(response.clientKey), \(response.createdAt.timeIntervalSince1970),
                    \(response.expiresAt.timeIntervalSince1970), \(response.response), \(response.conversation))
                ON CONFLICT (id) DO UPDATE SET response = EXCLUDED.response, conversation = EXCLUDED.conversation,
                    expires_at = EXCLUDED.expires_at
                """,
                logger: logger
            )
            let now = Date().timeIntervalSince1970
            try await connection.query(
                "DELETE FROM stored_responses WHERE id IN (SELECT id FROM stored_responses WHERE expires_at < \(now) LIMIT 100)",
                logger: logger
            )
        }
    }

    func response(id: String, clientKey: String?, now: Date) async throws -> StoredResponse? {
        let rows = try await database.query(
            """
            SELECT id, client_key, created_at, expires_at, response, conversation FROM stored_responses
            WHERE id = \(id) AND client_key IS NOT DISTINCT FROM \(clientKey) AND expires_at > \(now.timeIntervalSince1970)
            """
        )
        for (id, key, created, expires, response, conversation) in try rows.decode((String, String?, Double, Double, String, String).self) {
            return StoredResponse(
                id: id,
                clientKey: key,
                createdAt: Date(timeIntervalSince1970: created),
                expiresAt: Date(timeIntervalSince1970: expires),
                response: response,
                conversation: conversation
            )
        }
        return nil
    }

    func delete(id: String, clientKey: String?) async throws -> Bool {
        let rows = try await database.query(
            "DELETE FROM stored_responses WHERE id = \(id) AND client_key IS NOT DISTINCT FROM \(clientKey) RETURNING id"
        )
        return !rows.isEmpty
    }
}
