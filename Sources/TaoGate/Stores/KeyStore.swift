import Foundation

/// Where client keys live.
public protocol KeyStore: Sendable {
    func insert(_ key: ClientKeyRecord, hash: String) async throws
    /// The active (not revoked) key with this hash.
    func activeKey(hash: String) async throws -> ClientKeyRecord?
    func all() async throws -> [ClientKeyRecord]
    /// Revokes a key by id or by its prefix; false when there is no such active key.
    func revoke(_ idOrPrefix: String, at date: Date) async throws -> Bool
}
