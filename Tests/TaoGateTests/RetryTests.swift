import MockUpstream
import Testing

@Suite("Upstream retries")
struct RetryTests {
    @Test("Transient 503s are retried until the upstream answers")
    func transientFailuresAreRetried() async throws {
        try await LiveGateway.run(["UPSTREAM_MAX_RETRIES": "2"]) { gateway in
            gateway.mock.inject(MockFault(status: 503, times: 2))
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 200)
            #expect(gateway.mock.chatRequestCount == 3)
        }
    }

    @Test("Retries stop after UPSTREAM_MAX_RETRIES")
    func retriesStopAtTheLimit() async throws {
        try await LiveGateway.run(["UPSTREAM_MAX_RETRIES": "2"]) { gateway in
            gateway.mock.inject(MockFault(status: 500, times: 10))
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 502)
            #expect(gateway.mock.chatRequestCount == 3)
        }
    }

    @Test("UPSTREAM_MAX_RETRIES=0 makes one attempt")
    func zeroRetriesMakesOneAttempt() async throws {
        try await LiveGateway.run(["UPSTREAM_MAX_RETRIES": "0"]) { gateway in
            gateway.mock.inject(MockFault(status: 503))
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(gateway.mock.chatRequestCount == 1)
        }
    }

    @Test("A 400 from the upstream is not retried")
    func clientErrorsAreNotRetried() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(status: 400, times: 10))
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(gateway.mock.chatRequestCount == 1)
        }
    }

    @Test("A timed-out attempt is retried")
    func timeoutsAreRetried() async throws {
        try await LiveGateway.run(["UPSTREAM_TIMEOUT_MS": "1500", "UPSTREAM_MAX_RETRIES": "1"]) { gateway in
            gateway.mock.inject(MockFault(hang: true, hangMs: 5000))
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 200)
            #expect(gateway.mock.chatRequestCount == 2)
        }
    }

    @Test("A stream is retried while nothing has been sent to the client")
    func streamIsRetriedBeforeFirstByte() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(status: 502))
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"hi"}"#)
            #expect(response.status == 200)
            #expect(response.events.last?.data == "[DONE]")
            #expect(gateway.mock.chatRequestCount == 2)
        }
    }

    @Test("Retry-After from the upstream is honoured before the next attempt")
    func retryAfterIsHonoured() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(status: 429, retryAfter: "1"))
            let started = ContinuousClock.now
            let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(response.status == 200)
            #expect(ContinuousClock.now - started >= .milliseconds(950))
            #expect(gateway.mock.chatRequestCount == 2)
        }
    }
}
