import Testing

@testable import TaoGate

@Suite("Client keys (TAOGATE_API_KEYS)")
struct ClientKeyTests {
    static let keys = ["TAOGATE_API_KEYS": "tg-key-one-0001-aaaaaaaaaaaaaaaaaaaa,tg-key-two-0002-bbbbbbbbbbbbbbbbbbbb"]

    @Test("Without a key the reference API answers 401 unauthorized")
    func missingKeyIs401() async throws {
        try await LiveGateway.run(Self.keys) { gateway in
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 401)
            #expect(response.json["code"] as? String == "unauthorized")
            #expect(gateway.mock.chatRequestCount == 0)
        }
    }

    @Test("A wrong key answers 401 unauthorized")
    func wrongKeyIs401() async throws {
        try await LiveGateway.run(Self.keys) { gateway in
            let response = try await gateway.post(
                "/api/chat",
                json: #"{"message":"hi"}"#,
                headers: [("Authorization", "Bearer tg-key-one-0009")]
            )
            #expect(response.status == 401)
        }
    }

    @Test("A configured key works as a Bearer token or as x-api-key")
    func configuredKeyWorks() async throws {
        try await LiveGateway.run(Self.keys) { gateway in
            let bearer = try await gateway.post(
                "/api/chat",
                json: #"{"message":"hi"}"#,
                headers: [("Authorization", "Bearer tg-key-two-0002-bbbbbbbbbbbbbbbbbbbb")]
            )
            let header = try await gateway.get("/api/models", headers: [("x-api-key", "tg-key-one-0001-aaaaaaaaaaaaaaaaaaaa")])
            #expect(bearer.status == 200)
            #expect(header.status == 200)
        }
    }

    @Test("/healthz stays open when keys are required")
    func healthzStaysOpen() async throws {
        try await LiveGateway.run(Self.keys) { gateway in
            let response = try await gateway.get("/healthz")
            #expect(response.status == 200)
        }
    }

    @Test("Each key has its own rate limit")
    func eachKeyHasItsOwnRateLimit() async throws {
        try await LiveGateway.run(Self.keys.merging(["RATE_LIMIT_MAX": "1"]) { $1 }) { gateway in
            let one = [("Authorization", "Bearer tg-key-one-0001-aaaaaaaaaaaaaaaaaaaa")]
            let two = [("Authorization", "Bearer tg-key-two-0002-bbbbbbbbbbbbbbbbbbbb")]
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: one)
            let otherKey = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: two)
            let sameKey = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: one)
            #expect(otherKey.status == 200)
            #expect(sameKey.status == 429)
        }
    }

    @Test("One key cannot read another key's conversation")
    func conversationsArePerKey() async throws {
        try await LiveGateway.run(Self.keys) { gateway in
            let one = [("Authorization", "Bearer tg-key-one-0001-aaaaaaaaaaaaaaaaaaaa")]
            _ = try await gateway.post("/api/chat", json: #"{"message":"private","userId":"alice"}"#, headers: one)
            let own = try await gateway.get("/api/conversations/alice", headers: one)
            let other = try await gateway.get("/api/conversations/alice", headers: [("x-api-key", "tg-key-two-0002-bbbbbbbbbbbbbbbbbbbb")])
            #expect((own.json["messages"] as? [Any])?.count == 2)
            #expect((other.json["messages"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("Keys compare equal only when every byte and the length match")
    func constantTimeComparison() {
        #expect(ConstantTime.equal(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abd".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!ConstantTime.equal([], Array("a".utf8)))
    }
}
