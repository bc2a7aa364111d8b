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

    public var isActive: Bool { revokedAt == nil }
}

/// Where client keys live.
public protocol KeyStore: Sendable {
    func insert(_ key: ClientKeyRecord, hash: String) async throws
    /// The active (not revoked) key with this hash.
    func activeKey(hash: String) async throws -> ClientKeyRecord?
    func all() async throws -> [ClientKeyRecord]
    /// Revokes a key by id or by its prefix; false when there is no such active key.
    func revoke(_ idOrPrefix: String, at date: Date) async throws -> Bool
}

/// Keys in process memory (`DATABASE_URL=memory:`).
public actor MemoryKeyStore: KeyStore {
    private var keys: [String: (record: ClientKeyRecord, hash: String)] = [:]

    public init() {}

    public func insert(_ key: ClientKeyRecord, hash: String) {
        keys[key.id] = (key, hash)
    }

    public func activeKey(hash: String) -> ClientKeyRecord? {
        keys.values.first { $0.hash == hash && $0.record.isActive }?.record
    }

    public func all() -> [ClientKeyRecord] {
        keys.values.map(\.record).sorted { $0.createdAt < $1.createdAt }
    }

    public func revoke(_ idOrPrefix: String, at date: Date) -> Bool {
        guard let entry = keys.values.first(where: { ($0.record.id == idOrPrefix || $0.record.prefix == idOrPrefix) && $0.record.isActive })
        else { return false }
        keys[entry.record.id]?.record.revokedAt = date
        return true
    }
}
