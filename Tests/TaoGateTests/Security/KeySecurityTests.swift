import Foundation
import Logging
import MockUpstream
import Testing

@testable import TaoGate

/// Attacks on client keys, each driven against a live gateway as an attacker would.
@Suite("Security: client keys")
struct KeySecurityTests {
    static let chat = #"{"message":"hi"}"#

    @Test("Revoking the last stored key does not open the gateway")
    func revokingTheLastKeyKeepsItClosed() async throws {
        try await LiveGateway.run { gateway in
            let keys = ClientKeys(configured: [], store: gateway.stores.keys)
            let (record, _) = try await keys.create(name: "leaked", rateLimit: nil, tokenBudget: nil)
            #expect(try await gateway.stores.keys.revoke(record.id, at: Date()) == .revoked(id: record.id))
            let anonymous = try await gateway.post("/api/chat", json: Self.chat)
            #expect(anonymous.status == 401)
            #expect(gateway.mock.chatRequestCount == 0)
        }
    }

    @Test("Running open beside configured keys is refused at startup")
    func anonymousBesideKeysIsRefused() {
        #expect(throws: ConfigurationError.self) {
            try GatewayConfiguration(values: [
                "TAOTOKEN_API_KEY": "k", "TAOGATE_API_KEYS": String(repeating: "k", count: 40), "ALLOW_ANONYMOUS": "true",
            ])
        }
    }

    @Test("Running open beside stored keys is refused at startup")
    func anonymousBesideStoredKeysIsRefused() async throws {
        let stores = try await GatewayStores.open(.memory, logger: .init(label: "t") { _ in SwiftLogNoOpLogHandler() })
        _ = try await ClientKeys(configured: [], store: stores.keys).create(name: "a", rateLimit: nil, tokenBudget: nil)
        let configuration = try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "ALLOW_ANONYMOUS": "true"])
        await #expect(throws: ConfigurationError.self) { try await StartupChecks.refuseAnonymousBesideKeys(configuration, stores: stores) }
    }

    @Test("With ALLOW_ANONYMOUS, requests without a key are served and a wrong key is still refused")
    func anonymousIsAnExplicitChoice() async throws {
        try await LiveGateway.run(["ALLOW_ANONYMOUS": "true"]) { gateway in
            _ = try await ClientKeys(configured: [], store: gateway.stores.keys).create(name: "late", rateLimit: nil, tokenBudget: nil)
            #expect(try await gateway.post("/api/chat", json: Self.chat).status == 200)
            #expect(try await gateway.post("/api/chat", json: Self.chat, headers: [("x-api-key", "tg_not-a-key")]).status == 401)
            #expect(gateway.logs.all.contains { $0.contains("ALLOW_ANONYMOUS=true") })
        }
    }

    @Test("A configured key keeps its id when another key is removed from the list")
    func configuredKeyIDsDoNotShift() async throws {
        let first = "tg-first-key-aaaaaaaaaaaaaaaaaaaaaaaaaa"
        let second = "tg-second-key-bbbbbbbbbbbbbbbbbbbbbbbbb"
        let before = try await LiveGateway.run(["TAOGATE_API_KEYS": "\(first),\(second)"]) { gateway in
            _ = try await gateway.post("/api/chat", json: Self.chat, headers: [("x-api-key", second)])
            return try #require(try await gateway.requestLogLines().first?["client_key"] as? String)
        }
        let after = try await LiveGateway.run(["TAOGATE_API_KEYS": second]) { gateway in
            _ = try await gateway.post("/api/chat", json: Self.chat, headers: [("x-api-key", second)])
            return try #require(try await gateway.requestLogLines().first?["client_key"] as? String)
        }
        #expect(before == after)
        #expect(before == ClientKeys.configuredID(of: second))
        #expect(!before.contains(second.prefix(12)))
    }

    @Test("Configured keys shorter than 32 characters are refused at startup")
    func shortConfiguredKeysAreRefused() {
        #expect(throws: ConfigurationError.self) {
            try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "TAOGATE_API_KEYS": "tg-short-key-123456"])
        }
    }

    @Test("Guessing keys from one address is slowed to AUTH_FAILURES_PER_MINUTE, after which even a right key waits")
    func failedKeysAreRateLimited() async throws {
        let key = "tg-right-key-cccccccccccccccccccccccccc"
        try await LiveGateway.run(["TAOGATE_API_KEYS": key, "AUTH_FAILURES_PER_MINUTE": "3", "RATE_LIMIT_MAX": "0"]) { gateway in
            var statuses: [Int] = []
            for guess in 0..<5 {
                statuses.append(try await gateway.post("/api/chat", json: Self.chat, headers: [("x-api-key", "tg-guess-\(guess)")]).status)
            }
            #expect(statuses == [401, 401, 401, 429, 429])
            let right = try await gateway.post("/api/chat", json: Self.chat, headers: [("x-api-key", key)])
            #expect(right.status == 429)
            #expect(right.header("Retry-After") != nil)
            #expect(gateway.mock.chatRequestCount == 0)
        }
    }
}
