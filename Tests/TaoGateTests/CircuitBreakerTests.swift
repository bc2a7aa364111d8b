import Foundation
import MockUpstream
import Testing

@testable import TaoGate

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    let start = ContinuousClock.now

    @Test("It opens after the threshold of consecutive failures and then refuses requests")
    func opensAfterThreshold() {
        let breaker = CircuitBreaker(failureThreshold: 3, cooldown: .seconds(10))
        #expect(breaker.recordFailure(now: start) == nil)
        #expect(breaker.recordFailure(now: start) == nil)
        #expect(breaker.recordFailure(now: start) == .open)
        #expect(!breaker.allowRequest(now: start + .seconds(1)))
    }

    @Test("A success resets the count of failures")
    func successResetsTheCount() {
        let breaker = CircuitBreaker(failureThreshold: 2, cooldown: .seconds(10))
        breaker.recordFailure(now: start)
        breaker.recordSuccess()
        breaker.recordFailure(now: start)
        #expect(breaker.state(now: start) == .closed)
    }

    @Test("After the cool-down exactly one probe may go")
    func oneProbeAfterCooldown() {
        let breaker = CircuitBreaker(failureThreshold: 1, cooldown: .seconds(10))
        breaker.recordFailure(now: start)
        #expect(breaker.state(now: start + .seconds(10)) == .halfOpen)
        #expect(breaker.allowRequest(now: start + .seconds(10)))
        #expect(!breaker.allowRequest(now: start + .seconds(10)))
    }

    @Test("A successful probe closes the breaker")
    func successfulProbeCloses() {
        let breaker = CircuitBreaker(failureThreshold: 1, cooldown: .seconds(10))
        breaker.recordFailure(now: start)
        _ = breaker.allowRequest(now: start + .seconds(11))
        #expect(breaker.recordSuccess() == .closed)
        #expect(breaker.allowRequest(now: start + .seconds(11)))
    }

    @Test("A failed probe opens the breaker for another cool-down")
    func failedProbeReopens() {
        let breaker = CircuitBreaker(failureThreshold: 3, cooldown: .seconds(10))
        for _ in 0..<3 { breaker.recordFailure(now: start) }
        _ = breaker.allowRequest(now: start + .seconds(11))
        #expect(breaker.recordFailure(now: start + .seconds(11)) == .open)
        #expect(!breaker.allowRequest(now: start + .seconds(15)))
        #expect(breaker.allowRequest(now: start + .seconds(21)))
    }

    @Test("A threshold of 0 turns the breaker off")
    func zeroThresholdTurnsItOff() {
        let breaker = CircuitBreaker(failureThreshold: 0, cooldown: .seconds(10))
        for _ in 0..<10 { breaker.recordFailure(now: start) }
        #expect(breaker.allowRequest(now: start))
    }

    @Test("A failing provider is cut off: later requests fail fast without reaching it, then it is probed and recovers")
    func failingProviderIsCutOffAndRecovers() async throws {
        let settings = ["CIRCUIT_BREAKER_FAILURES": "3", "CIRCUIT_BREAKER_COOLDOWN_MS": "1500", "UPSTREAM_MAX_RETRIES": "0"]
        try await LiveGateway.run(settings) { gateway in
            gateway.mock.inject(MockFault(status: 503, times: 3))
            for _ in 0..<3 {
                #expect(try await gateway.post("/api/chat", json: #"{"message":"hi"}"#).status == 502)
            }
            let refused = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(refused.status == 502)
            #expect(refused.json["code"] as? String == "upstream_unavailable")
            #expect(gateway.mock.chatRequestCount == 3)
            try await Task.sleep(for: .milliseconds(1600))
            #expect(try await gateway.post("/api/chat", json: #"{"message":"hi"}"#).status == 200)
            #expect(try await gateway.post("/api/chat", json: #"{"message":"hi"}"#).status == 200)
            let messages = gateway.logs.jsonLines.compactMap { $0["msg"] as? String }
            #expect(messages.contains("circuit breaker open"))
            #expect(messages.contains("circuit breaker closed"))
        }
    }

    @Test("With a provider's circuit open, its models go straight to their fallback")
    func openCircuitGoesStraightToFallback() async throws {
        let providers: @Sendable ([String]) -> String = {
            ProviderRoutingTests.twoProviders($0, fallbacks: "fallbacks:\n  gpt-4o: [claude-sonnet-4-6]")
        }
        let settings = ["CIRCUIT_BREAKER_FAILURES": "2", "CIRCUIT_BREAKER_COOLDOWN_MS": "60000", "UPSTREAM_MAX_RETRIES": "0"]
        try await LiveGateway.run(mocks: 2, providers: providers, settings) { gateway, mocks in
            mocks[0].inject(MockFault(status: 500, times: 2))
            for _ in 0..<4 {
                let response = try await gateway.post("/v1/chat/completions", json: ProviderRoutingTests.chat)
                #expect(response.status == 200)
            }
            #expect(mocks[0].chatRequestCount == 2)
            #expect(mocks[1].chatRequestCount == 4)
        }
    }
}
