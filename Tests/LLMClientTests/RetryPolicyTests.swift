import LLMClient
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxRetries: 3, baseDelay: .milliseconds(100), maxDelay: .milliseconds(350), maxRetryAfter: .seconds(5))

    @Test("Delays grow exponentially up to the cap")
    func delaysGrowExponentiallyUpToTheCap() {
        let error = ProviderError(kind: .status, status: 503)
        let delays = (0..<3).map { policy.delay(afterAttempt: $0, for: error, jitter: 1) }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(350)])
    }

    @Test("Jitter shortens the delay by at most a quarter")
    func jitterShortensByAtMostAQuarter() {
        let error = ProviderError.timeout("t")
        for _ in 0..<100 {
            let delay = policy.delay(afterAttempt: 0, for: error)!
            #expect(delay >= .milliseconds(75) && delay <= .milliseconds(100))
        }
    }

    @Test("No retry once the retries are used up")
    func noRetryAfterLastAttempt() {
        #expect(policy.delay(afterAttempt: 3, for: .unreachable("x")) == nil)
    }

    @Test("Connect errors, timeouts, 408, 429 and 5xx are retried; other statuses are not")
    func onlyTransientFailuresAreRetried() {
        for status in [408, 429, 500, 502, 503, 504] {
            #expect(ProviderError(kind: .status, status: status).isRetryable)
        }
        for status in [400, 401, 403, 404, 422] {
            #expect(!ProviderError(kind: .status, status: status).isRetryable)
        }
        #expect(ProviderError.timeout("x").isRetryable)
        #expect(ProviderError.unreachable("x").isRetryable)
        #expect(!ProviderError.invalidResponse("x").isRetryable)
    }

    @Test("Retry-After replaces the computed delay")
    func retryAfterReplacesTheDelay() {
        let error = ProviderError(kind: .status, status: 429, retryAfter: .seconds(2))
        #expect(policy.delay(afterAttempt: 0, for: error, jitter: 1) == .seconds(2))
    }

    @Test("A Retry-After longer than the cap means no retry")
    func longRetryAfterMeansNoRetry() {
        let error = ProviderError(kind: .status, status: 429, retryAfter: .seconds(60))
        #expect(policy.delay(afterAttempt: 0, for: error) == nil)
    }

    @Test("Retry-After is read as seconds, as retry-after-ms, or as an HTTP date")
    func retryAfterFormsAreRead() {
        #expect(RetryPolicy.retryAfter(retryAfterMilliseconds: nil, retryAfter: "3") == .seconds(3))
        #expect(RetryPolicy.retryAfter(retryAfterMilliseconds: "250", retryAfter: "3") == .milliseconds(250))
        let now = 784_111_777.0  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(
            RetryPolicy.retryAfter(retryAfterMilliseconds: nil, retryAfter: "Sun, 06 Nov 1994 08:49:47 GMT", now: now)
                == .seconds(10)
        )
        #expect(RetryPolicy.retryAfter(retryAfterMilliseconds: nil, retryAfter: "soon") == nil)
    }
}
