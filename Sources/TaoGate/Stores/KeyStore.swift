import Foundation

/// Where client keys live.
public protocol KeyStore: Sendable {
    func insert(_ key: ClientKeyRecord, hash: String) async throws
    /// The active (not revoked) key with this hash.
    func activeKey(hash: String) async throws -> ClientKeyRecord?
    func all() async throws -> [ClientKeyRecord]
    /// The key with this id, revoked or not.
    func key(id: String) async throws -> ClientKeyRecord?
    /// Replaces what can change of the key with `record.id` (name, limits, owner, note); false
    /// when there is no such key, or it is revoked.
    func update(_ record: ClientKeyRecord) async throws -> Bool
    /// Whether any key was ever created, revoked ones included.
    func hasAnyKey() async throws -> Bool
    /// Revokes the one active key whose id is `idOrPrefix`, or whose prefix starts with it.
    func revoke(_ idOrPrefix: String, at date: Date) async throws -> KeyRevocation
}

/// What revoking by id or prefix did.
public enum KeyRevocation: Sendable, Equatable {
    case revoked(id: String)
    case notFound
    /// The prefix matches several active keys; none was revoked.
    case ambiguous(matches: Int)

    /// The active keys `idOrPrefix` names: by exact id, else by prefix.
    static func matches(_ idOrPrefix: String, in active: [ClientKeyRecord]) -> [ClientKeyRecord] {
        if let exact = active.first(where: { $0.id == idOrPrefix }) { return [exact] }
        guard !idOrPrefix.isEmpty else { return [] }
        return active.filter { $0.prefix.hasPrefix(idOrPrefix) }
    }
}
