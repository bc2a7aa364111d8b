import Crypto
import Foundation

/// Creates client keys and recognises them: keys from TAOGATE_API_KEYS (compared in constant
/// time) and keys created with `taogate keys create` (found by their SHA-256 in the key store).
public struct ClientKeys: Sendable {
    /// A recognised key: its id, and the limits that come with it.
    public struct Identity: Sendable, Equatable {
        public var id: String
        public var rateLimit: Int?
        public var tokenBudget: Int?
    }

    private let configured: [(id: String, bytes: [UInt8])]
    private let store: any KeyStore
    private let requirement: KeyRequirement

    public init(configured: [String], store: any KeyStore) {
        self.configured = configured.enumerated().map { ("key-\($0.offset + 1)", Array($0.element.utf8)) }
        self.store = store
        self.requirement = KeyRequirement(hasConfiguredKeys: !configured.isEmpty, store: store)
    }

    /// Whether requests must present a key: when keys are configured or any is in the store.
    func areRequired() async throws -> Bool {
        try await requirement.isRequired()
    }

    /// The identity of a presented key, or nil when it is no valid key.
    func identify(_ presented: String) async throws -> Identity? {
        let bytes = Array(presented.utf8)
        var found: String?
        for key in configured where ConstantTime.equal(key.bytes, bytes) && found == nil {
            found = key.id
        }
        if let found { return Identity(id: found) }
        guard let record = try await store.activeKey(hash: Self.hash(presented)) else { return nil }
        return Identity(id: record.id, rateLimit: record.rateLimit, tokenBudget: record.tokenBudget)
    }

    /// Makes a new key; the returned secret is shown once and never stored.
    public func create(name: String, rateLimit: Int?, tokenBudget: Int?) async throws -> (record: ClientKeyRecord, secret: String) {
        let secret = "tg_" + Self.randomHex(bytes: 24)
        let record = ClientKeyRecord(
            id: "ck_" + Self.randomHex(bytes: 6),
            name: name,
            prefix: String(secret.prefix(10)),
            createdAt: Date(),
            revokedAt: nil,
            rateLimit: rateLimit,
            tokenBudget: tokenBudget
        )
        try await store.insert(record, hash: Self.hash(secret))
        await requirement.invalidate()
        return (record, secret)
    }

    static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
