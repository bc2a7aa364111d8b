import Foundation

/// Where conversation history lives. Implementations must apply `append` atomically, so two
/// concurrent exchanges of one user never lose or interleave messages.
public protocol ConversationStore: Sendable {
    /// The last `limit` messages of `userID`, oldest first.
    func recentMessages(of userID: String, limit: Int) async throws -> [StoredMessage]
    /// Appends `messages` as one unit, then keeps only the last `keepingLast` messages.
    func append(_ messages: [StoredMessage], to userID: String, keepingLast: Int) async throws
    /// Every stored message of `userID`, oldest first.
    func messages(of userID: String) async throws -> [StoredMessage]
    /// Deletes the conversation; returns how many messages it held.
    @discardableResult
    func clear(_ userID: String) async throws -> Int
}
