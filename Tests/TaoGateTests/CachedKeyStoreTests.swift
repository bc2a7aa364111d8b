import Foundation
import Synchronization
import Testing

@testable import TaoGate

@Suite("Stored keys kept by the server")
struct CachedKeyStoreTests {
    /// A memory store that counts the lookups by hash that reach it.
    final class CountingStore: KeyStore {
        let inner = MemoryKeyStore()
        let lookups = Atomic<Int>(0)

        func activeKey(hash: String) async throws -> ClientKeyRecord? {
            lookups.add(1, ordering: .relaxed)
            return try await inner.activeKey(hash: hash)
        }
        func insert(_ key: ClientKeyRecord, hash: String) async throws { try await inner.insert(key, hash: hash) }
        func all() async throws -> [ClientKeyRecord] { try await inner.all() }
        func key(id: String) async throws -> ClientKeyRecord? { try await inner.key(id: id) }
        func update(_ record: ClientKeyRecord) async throws -> Bool { try await inner.update(record) }
        func hasAnyKey() async throws -> Bool { try await inner.hasAnyKey() }
        func revoke(_ idOrPrefix: String, at date: Date) async throws -> KeyRevocation { try await inner.revoke(idOrPrefix, at: date) }
    }

    /// A clock the test moves by hand.
    final class Clock: Sendable {
        private let offset = Mutex<Duration>(.zero)
        let start = ContinuousClock.now
        var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
        func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
    }

    static let record = ClientKeyRecord(id: "ck_one", name: "one", prefix: "tg_one", createdAt: Date())

    static func cached(_ store: CountingStore, lifetime: Duration = .seconds(5), clock: Clock = Clock()) -> CachedKeyStore {
        CachedKeyStore(store, lifetime: lifetime, now: { clock.now })
    }

    /// A store holding `record` under `h1`, kept for five seconds of `clock`.
    static func keepingOneKey() async throws -> (store: CountingStore, clock: Clock, cached: CachedKeyStore) {
        let store = CountingStore()
        try await store.insert(record, hash: "h1")
        let clock = Clock()
        return (store, clock, cached(store, clock: clock))
    }

    @Test("A key in use is looked up once per lifetime, not once per request")
    func keyIsLookedUpOncePerLifetime() async throws {
        let (store, clock, cached) = try await Self.keepingOneKey()
        for _ in 0..<100 { #expect(try await cached.activeKey(hash: "h1")?.id == "ck_one") }
        #expect(store.lookups.load(ordering: .relaxed) == 1)
        clock.advance(.seconds(5))
        #expect(try await cached.activeKey(hash: "h1")?.id == "ck_one")
        #expect(store.lookups.load(ordering: .relaxed) == 2)
    }

    @Test("A key revoked through the store that keeps it is refused from the next lookup")
    func revocationThroughItHoldsAtOnce() async throws {
        let store = CountingStore()
        let cached = Self.cached(store)
        try await cached.insert(Self.record, hash: "h1")
        #expect(try await cached.activeKey(hash: "h1") != nil)
        #expect(try await cached.revoke("ck_one", at: Date()) == .revoked(id: "ck_one"))
        #expect(try await cached.activeKey(hash: "h1") == nil)
    }

    @Test("A key changed through the store that keeps it is read again from the next lookup")
    func changeThroughItHoldsAtOnce() async throws {
        let store = CountingStore()
        let cached = Self.cached(store)
        try await cached.insert(Self.record, hash: "h1")
        #expect(try await cached.activeKey(hash: "h1")?.name == "one")
        var renamed = Self.record
        renamed.name = "renamed"
        #expect(try await cached.update(renamed))
        #expect(try await cached.activeKey(hash: "h1")?.name == "renamed")
    }

    @Test("A key revoked elsewhere is refused once its lifetime has passed")
    func revocationElsewhereHoldsAfterTheLifetime() async throws {
        let (store, clock, cached) = try await Self.keepingOneKey()
        #expect(try await cached.activeKey(hash: "h1") != nil)
        _ = try await store.revoke("ck_one", at: Date())
        clock.advance(.seconds(4))
        #expect(try await cached.activeKey(hash: "h1") != nil)
        clock.advance(.seconds(1))
        #expect(try await cached.activeKey(hash: "h1") == nil)
    }

    @Test("A key not found is not remembered: one created elsewhere is found at its first use")
    func missesAreNotRemembered() async throws {
        let store = CountingStore()
        let cached = Self.cached(store)
        #expect(try await cached.activeKey(hash: "h1") == nil)
        try await store.insert(Self.record, hash: "h1")
        #expect(try await cached.activeKey(hash: "h1")?.id == "ck_one")
    }

    @Test("A lifetime of zero asks the store on every lookup")
    func zeroLifetimeAsksEveryTime() async throws {
        let store = CountingStore()
        try await store.insert(Self.record, hash: "h1")
        let cached = Self.cached(store, lifetime: .zero)
        for _ in 0..<3 { _ = try await cached.activeKey(hash: "h1") }
        #expect(store.lookups.load(ordering: .relaxed) == 3)
    }

    @Test("Past its capacity the store forgets what it kept rather than growing")
    func capacityBoundsWhatIsKept() async throws {
        let store = CountingStore()
        for index in 0..<3 {
            try await store.insert(ClientKeyRecord(id: "ck_\(index)", name: "k", prefix: "tg_\(index)", createdAt: Date()), hash: "h\(index)")
        }
        let cached = CachedKeyStore(store, lifetime: .seconds(5), capacity: 2)
        for index in 0..<3 { _ = try await cached.activeKey(hash: "h\(index)") }
        // h0 and h1 were kept; h2 started again from none, so h0 is asked for again.
        _ = try await cached.activeKey(hash: "h2")
        #expect(store.lookups.load(ordering: .relaxed) == 3)
        _ = try await cached.activeKey(hash: "h0")
        #expect(store.lookups.load(ordering: .relaxed) == 4)
    }
}
