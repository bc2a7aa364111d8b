import Foundation

/// One stored message of a user's conversation.
public struct StoredMessage: Codable, Sendable, Hashable {
    public var role: String
    public var content: String
    public var timestamp: Date

    public init(role: String, content: String, timestamp: Date = Date()) {
        self.role = role
        self.content = content
        self.timestamp = timestamp
    }
}
