import Foundation

/// A client key kept in the database. The key itself is never stored: only its SHA-256.
public struct ClientKeyRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The first characters of the key, to recognise it in lists.
    public var prefix: String
    public var createdAt: Date
    public var revokedAt: Date?
    public var limits: KeyLimits
    /// Who the key is for, and anything else an operator wants to remember about it.
    public var owner: String?
    public var note: String?

    public init(
        id: String,
        name: String,
        prefix: String,
        createdAt: Date,
        revokedAt: Date? = nil,
        limits: KeyLimits = KeyLimits(),
        owner: String? = nil,
        note: String? = nil
    ) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.limits = limits
        self.owner = owner
        self.note = note
    }

    public var isActive: Bool { revokedAt == nil }
}
