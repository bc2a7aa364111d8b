import Foundation
import SQLiteNIO

/// Conversations in a SQLite file (`DATABASE_URL=sqlite:PATH`), kept across restarts.
struct SQLiteConversationStore: ConversationStore {
    let database: SQLiteDatabase

    func recentMessages(of userID: String, limit: Int) async throws -> [StoredMessage] {
        guard limit > 0 else { return [] }
        let rows = try await database.query(
            """
            SELECT role, content, created_at FROM (
                SELECT id, role, content, created_at FROM conversation_messages
                WHERE conversation_id = ? ORDER BY id DESC LIMIT ?
            ) ORDER BY id
            """,
            [.text(userID), .integer(limit)]
        )
        return rows.map(Self.message)
    }

    func append(_ messages: [StoredMessage], to userID: String, keepingLast: Int) async throws {
        try await database.transaction { unit in
            for message in messages {
                try await unit.execute(
                    "INSERT INTO conversation_messages (conversation_id, role, content, created_at) VALUES (?, ?, ?, ?)",
                    [.text(userID), .text(message.role), .text(message.content), .float(message.timestamp.timeIntervalSince1970)]
                )
            }
            try await unit.execute(
                """
                DELETE FROM conversation_messages WHERE conversation_id = ? AND id NOT IN (
                    SELECT id FROM conversation_messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?
                )
                """,
                [.text(userID), .text(userID), .integer(keepingLast)]
            )
        }
    }

    func messages(of userID: String) async throws -> [StoredMessage] {
        try await database.query(
            "SELECT role, content, created_at FROM conversation_messages WHERE conversation_id = ? ORDER BY id",
            [.text(userID)]
        ).map(Self.message)
    }

    func clear(_ userID: String) async throws -> Int {
        try await database.transaction { unit in
            let count =
                try await unit.query("SELECT COUNT(*) AS n FROM conversation_messages WHERE conversation_id = ?", [.text(userID)])
                .first?.column("n")?.integer ?? 0
            try await unit.execute("DELETE FROM conversation_messages WHERE conversation_id = ?", [.text(userID)])
            return count
        }
    }

    private static func message(_ row: SQLiteRow) -> StoredMessage {
        StoredMessage(
            role: row.column("role")?.string ?? "",
            content: row.column("content")?.string ?? "",
            timestamp: Date(timeIntervalSince1970: row.column("created_at")?.double ?? 0)
        )
    }
}
