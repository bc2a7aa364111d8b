import Testing

@testable import TaoGate

@Suite("Rate limiting on the chat routes")
struct RateLimitTests {
    @Test("Every answer of a chat route carries RateLimit headers that count down")
    func answersCarryCountingDownHeaders() async throws {
        try await LiveGateway.run(["RATE_LIMIT_MAX": "5", "RATE_LIMIT_WINDOW_MS": "60000"]) { gateway in
            let first = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            let second = try await gateway.post("/api/chat", json: "{}")
            #expect(first.header("RateLimit-Limit") == "5")
            #expect(first.header("RateLimit-Remaining") == "4")
            #expect(second.header("RateLimit-Remaining") == "3")
            #expect(second.status == 400)
            let reset = try #require(first.header("RateLimit-Reset").flatMap(Int.init))
            #expect((1...60).contains(reset))
        }
    }

    @Test("Past the limit the answer is 429 with Retry-After and the reference message")
    func pastTheLimitIs429() async throws {
        try await LiveGateway.run(["RATE_LIMIT_MAX": "2", "RATE_LIMIT_WINDOW_MS": "60000"]) { gateway in
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            _ = try await gateway.post("/api/chat/stream", json: #"{"message":"hi"}"#)
            let limited = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(limited.status == 429)
            #expect(limited.json["code"] as? String == "rate_limited")
            #expect(limited.json["error"] as? String == "Too many requests, please try again later.")
            #expect(limited.header("Retry-After").flatMap(Int.init) != nil)
            #expect(limited.header("RateLimit-Remaining") == "0")
            #expect(gateway.mock.chatRequestCount == 2)
        }
    }

    @Test("Routes other than chat are not rate limited")
    func otherRoutesAreNotLimited() async throws {
        try await LiveGateway.run(["RATE_LIMIT_MAX": "1"]) { gateway in
            _ = try await gateway.get("/healthz")
            let response = try await gateway.get("/healthz")
            #expect(response.status == 200)
            #expect(response.header("RateLimit-Limit") == nil)
        }
    }

    @Test("X-Forwarded-For is ignored unless TRUST_PROXY is set")
    func forwardedForIsIgnoredByDefault() async throws {
        try await LiveGateway.run(["RATE_LIMIT_MAX": "1"]) { gateway in
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: [("X-Forwarded-For", "10.0.0.1")])
            let second = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: [("X-Forwarded-For", "10.0.0.2")])
            #expect(second.status == 429)
        }
    }

    @Test("With TRUST_PROXY each X-Forwarded-For client has its own limit")
    func forwardedForCountsWithTrustProxy() async throws {
        try await LiveGateway.run(["RATE_LIMIT_MAX": "1", "TRUST_PROXY": "true"]) { gateway in
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: [("X-Forwarded-For", "10.0.0.1")])
            let other = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: [("X-Forwarded-For", "10.0.0.2")])
            let again = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: [("X-Forwarded-For", "10.0.0.1")])
            #expect(other.status == 200)
            #expect(again.status == 429)
        }
    }

    @Test("RATE_LIMIT_MAX=0 turns rate limiting off")
    func zeroTurnsLimitingOff() async throws {
        try await LiveGateway.run(["RATE_LIMIT_MAX": "0"]) { gateway in
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 200)
            #expect(response.header("RateLimit-Limit") == nil)
        }
    }
}

@Suite("Rate limiter")
struct RateLimiterTests {
    let start = ContinuousClock.now

    @Test("A client's window allows the limit, then refuses until it resets")
    func windowAllowsLimitThenRefuses() {
        let limiter = RateLimiter(limit: 2, window: .seconds(10), now: start)
        #expect(limiter.acquire("a", now: start).allowed)
        #expect(limiter.acquire("a", now: start + .seconds(1)).allowed)
        let refused = limiter.acquire("a", now: start + .seconds(2))
        #expect(!refused.allowed)
        #expect(refused.resetAfter == .seconds(8))
        #expect(limiter.acquire("a", now: start + .seconds(10)).allowed)
    }

    @Test("Clients are counted separately")
    func clientsAreCountedSeparately() {
        let limiter = RateLimiter(limit: 1, window: .seconds(10), now: start)
        #expect(limiter.acquire("a", now: start).allowed)
        #expect(limiter.acquire("b", now: start).allowed)
        #expect(!limiter.acquire("a", now: start).allowed)
    }

    @Test("A window survives one generation rotation")
    func windowSurvivesRotation() {
        let limiter = RateLimiter(limit: 1, window: .seconds(10), now: start)
        _ = limiter.acquire("a", now: start + .seconds(9))
        #expect(!limiter.acquire("a", now: start + .seconds(11)).allowed)
    }

    @Test("Memory stays bounded: clients unseen for two windows are forgotten")
    func unseenClientsAreForgotten() {
        let limiter = RateLimiter(limit: 5, window: .seconds(1), now: start)
        for index in 0..<10_000 { _ = limiter.acquire("10.0.\(index / 256).\(index % 256)", now: start) }
        #expect(limiter.trackedClients(now: start) == 10_000)
        #expect(limiter.trackedClients(now: start + .milliseconds(2100)) == 0)
    }

    @Test("Past maxTrackedClients new clients share one counter instead of growing memory")
    func overflowClientsShareOneCounter() {
        let limiter = RateLimiter(limit: 3, window: .seconds(60), maxTrackedClients: 100, now: start)
        for index in 0..<100 { _ = limiter.acquire("c\(index)", now: start) }
        for index in 100..<103 { #expect(limiter.acquire("c\(index)", now: start).allowed) }
        #expect(!limiter.acquire("c999", now: start).allowed)
        #expect(limiter.trackedClients(now: start) == 101)
    }
}
