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

    public func key(id: String) -> ClientKeyRecord? {
        keys[id]?.record
    }

    public func update(_ record: ClientKeyRecord) -> Bool {
        guard var stored = keys[record.id]?.record, stored.isActive else { return false }
        stored.name = record.name
        stored.limits = record.limits
        stored.owner = record.owner
        stored.note = record.note
        keys[record.id]?.record = stored
        return true
    }

    public func hasAnyKey() -> Bool {
        !keys.isEmpty
    }

    public func revoke(_ idOrPrefix: String, at date: Date) -> KeyRevocation {
        let matches = KeyRevocation.matches(idOrPrefix, in: keys.values.map(\.record).filter(\.isActive))
        guard matches.count == 1, let key = matches.first else { return matches.isEmpty ? .notFound : .ambiguous(matches: matches.count) }
        keys[key.id]?.record.revokedAt = date
        return .revoked(id: key.id)
    }
}
