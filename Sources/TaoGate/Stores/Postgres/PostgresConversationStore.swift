import Foundation
import PostgresNIO

/// Conversations in PostgreSQL, shared by every instance.
struct PostgresConversationStore: ConversationStore {
    let database: PostgresDatabase

    func recentMessages(of userID: String, limit: Int) async throws -> [StoredMessage] {
        guard limit > 0 else { return [] }
        return try await messages(
            """
            SELECT role, content, created_at FROM (
                SELECT id, role, content, created_at FROM conversation_messages
                WHERE conversation_id = \(userID) ORDER BY id DESC LIMIT \(limit)
            ) AS recent ORDER BY id
            """
        )
    }

    func append(_ messages: [StoredMessage], to userID: String, keepingLast: Int) async throws {
        let logger = database.logger
        try await database.transaction { connection in
            // One writer per conversation at a time, so an exchange's messages stay together.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(userID)))", logger: logger)
            for message in messages {
                let at = message.timestamp.timeIntervalSince1970
                try await connection.query(
                    """
                    INSERT INTO conversation_messages (conversation_id, role, content, created_at)
                    VALUES (\(userID), \(message.role), \(message.content), \(at))
                    """,
                    logger: logger
                )
            }
            try await connection.query(
                """
                DELETE FROM conversation_messages WHERE conversation_id = \(userID) AND id NOT IN (
                    SELECT id FROM conversation_messages WHERE conversation_id = \(userID) ORDER BY id DESC LIMIT \(keepingLast)
                )
                """,
                logger: logger
            )
        }
    }

    func messages(of userID: String) async throws -> [StoredMessage] {
        try await messages("SELECT role, content, created_at FROM conversation_messages WHERE conversation_id = \(userID) ORDER BY id")
    }

    func clear(_ userID: String) async throws -> Int {
        let rows = try await database.query(
            "DELETE FROM conversation_messages WHERE conversation_id = \(userID) RETURNING id"
        )
        var count = 0
        count += rows.count
        return count
    }

    private func messages(_ query: PostgresQuery) async throws -> [StoredMessage] {
        var result: [StoredMessage] = []
        let rows = try await database.query(query)
        for (role, content, at) in try rows.decode((String, String, Double).self) {
            result.append(StoredMessage(role: role, content: content, timestamp: Date(timeIntervalSince1970: at)))
        }
        return result
    }
}
