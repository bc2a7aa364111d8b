import Crypto
import Foundation

/// Creates client keys and recognises them: keys from TAOGATE_API_KEYS (compared in constant
/// time) and keys created with `taogate keys create` (found by their SHA-256 in the key store).
public struct ClientKeys: Sendable {
    /// A recognised key: its id, and the limits that come with it.
    public struct Identity: Sendable, Equatable {
        public var id: String
        public var limits: KeyLimits

        public init(id: String, limits: KeyLimits = KeyLimits()) {
            self.id = id
            self.limits = limits
        }
    }

    private let configured: [(id: String, bytes: [UInt8])]
    /// The ids of the keys of TAOGATE_API_KEYS (for the admin API's list).
    public var configuredIDs: [String] { configured.map(\.id) }
    private let store: any KeyStore
    private let requirement: KeyRequirement
    /// Requests without a key are served (ALLOW_ANONYMOUS); a key that is presented is still checked.
    let allowsAnonymous: Bool

    public init(configured: [String], store: any KeyStore, allowsAnonymous: Bool = false) {
        self.configured = configured.map { (Self.configuredID(of: $0), Array($0.utf8)) }
        self.store = store
        self.allowsAnonymous = allowsAnonymous
        self.requirement = KeyRequirement(hasConfiguredKeys: !configured.isEmpty, allowsAnonymous: allowsAnonymous, store: store)
    }

    /// A configured key's id: `key-` and the first 8 hex digits of its SHA-256, the same whatever
    /// its place in TAOGATE_API_KEYS (so removing one key moves no other key's history or usage).
    public static func configuredID(of key: String) -> String {
        "key-" + hash(key).prefix(8)
    }

    /// Whether requests must present a key: once any key has existed, unless running open.
    func areRequired() async throws -> Bool {
        try await requirement.isRequired()
    }

    /// Whether requests must present a key, when that is known without asking the store (see
    /// `KeyRequirement.knownAnswer`), without an async call on the path of every request.
    var knownRequirement: Bool? { requirement.knownAnswer }

    /// The identity of a presented key, or nil when it is no valid key.
    func identify(_ presented: String) async throws -> Identity? {
        let bytes = Array(presented.utf8)
        var found: String?
        for key in configured where ConstantTime.equal(key.bytes, bytes) && found == nil {
            found = key.id
        }
        if let found { return Identity(id: found) }
        guard let record = try await store.activeKey(hash: Self.hash(presented)) else { return nil }
        return Identity(id: record.id, limits: record.limits)
    }

    /// Makes a new key; the returned secret is shown once and never stored.
    public func create(
        name: String,
        limits: KeyLimits = KeyLimits(),
        owner: String? = nil,
        note: String? = nil
    ) async throws -> (record: ClientKeyRecord, secret: String) {
        let secret = "tg_" + Self.randomHex(bytes: 24)
        let record = ClientKeyRecord(
            id: "ck_" + Self.randomHex(bytes: 6),
            name: name,
            prefix: String(secret.prefix(10)),
            createdAt: Date(),
            limits: limits,
            owner: owner,
            note: note
        )
        try await store.insert(record, hash: Self.hash(secret))
        requirement.keyCreated()
        return (record, secret)
    }

    static func hash(_ key: String) -> String {
        Hexadecimal.string(Array(SHA256.hash(data: Data(key.utf8))))
    }

    private static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Hexadecimal.string((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
