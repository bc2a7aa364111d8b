import Foundation

/// A client key kept in the database. The key itself is never stored: only its SHA-256.
public struct ClientKeyRecord: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    /// The first characters of the key, to recognise it in lists.
    public var prefix: String
    public var createdAt: Date
    public var revokedAt: Date?
    /// Requests per rate-limit window for this key (else RATE_LIMIT_MAX).
    public var rateLimit: Int?
    /// Total tokens this key may use; past it, 429.
    public var tokenBudget: Int?
    /// Requests of this key that may be in flight at once; more get 429.
    public var maxConcurrent: Int? = nil

    public var isActive: Bool { revokedAt == nil }
}
