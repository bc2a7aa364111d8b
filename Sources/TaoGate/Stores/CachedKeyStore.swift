import Foundation
import Synchronization

/// The key store as the server's request path and admin API use it: an active key found by its
/// hash is remembered for `lifetime` (KEY_CACHE_SECONDS), so a busy key costs one database
/// lookup per lifetime instead of one per request.
///
/// Without it every request with a stored key queried the database, on SQLite behind the one
/// connection that usage batches hold while they sync to disk: three times the CPU per request
/// of a gateway without stored keys (BENCHMARKS.md).
///
/// - A change made through this store (the admin API: create, update, revoke) forgets every
///   remembered key at once, so it holds from the next request.
/// - A change made elsewhere (`taogate keys` in another process, another instance on the same
///   PostgreSQL) holds once the remembered record is older than `lifetime`.
/// - Only keys that were found are remembered: a key created elsewhere is found on its first
///   request, and wrong keys, which an attacker can vary at will, take no memory.
final class CachedKeyStore: KeyStore {
    private struct Remembered {
        var records: [String: (record: ClientKeyRecord, until: ContinuousClock.Instant)] = [:]
        /// Counts the changes made through this store: a lookup that began before one does not
        /// remember what it read.
        var generation = 0
    }

    private let store: any KeyStore
    private let lifetime: Duration
    private let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let remembered = Mutex(Remembered())

    init(
        _ store: any KeyStore,
        lifetime: Duration,
        capacity: Int = 10_000,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.store = store
        self.lifetime = lifetime
        self.capacity = capacity
        self.now = now
    }

    func activeKey(hash: String) async throws -> ClientKeyRecord? {
        guard lifetime > .zero else { return try await store.activeKey(hash: hash) }
        let asked = now()
        let (hit, generation) = remembered.withLock { remembered in
            (remembered.records[hash].flatMap { $0.until > asked ? $0.record : nil }, remembered.generation)
        }
        if let hit { return hit }
        guard let record = try await store.activeKey(hash: hash) else { return nil }
        remembered.withLock { remembered in
            guard remembered.generation == generation else { return }
            // Bounded: past `capacity` keys in use at once, start again from none.
            if remembered.records.count >= capacity { remembered.records.removeAll() }
            remembered.records[hash] = (record, asked + lifetime)
        }
        return record
    }

    func insert(_ key: ClientKeyRecord, hash: String) async throws {
        defer { forgetAll() }
        try await store.insert(key, hash: hash)
    }

    func update(_ record: ClientKeyRecord) async throws -> Bool {
        defer { forgetAll() }
        return try await store.update(record)
    }

    func revoke(_ idOrPrefix: String, at date: Date) async throws -> KeyRevocation {
        defer { forgetAll() }
        return try await store.revoke(idOrPrefix, at: date)
    }

    func all() async throws -> [ClientKeyRecord] { try await store.all() }

    func key(id: String) async throws -> ClientKeyRecord? { try await store.key(id: id) }

    func hasAnyKey() async throws -> Bool { try await store.hasAnyKey() }

    private func forgetAll() {
        remembered.withLock { remembered in
            remembered.records.removeAll()
            remembered.generation += 1
        }
    }
}
