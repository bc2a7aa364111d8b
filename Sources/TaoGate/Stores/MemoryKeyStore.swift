import Foundation

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
