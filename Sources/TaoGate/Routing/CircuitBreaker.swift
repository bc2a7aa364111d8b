import Synchronization

/// Stops sending to an upstream (one provider key) that keeps failing, and probes it again later.
///
/// Closed: requests flow; `failureThreshold` failures in a row open it. Open: requests are refused
/// for `cooldown`. Half-open: one probe at a time may go; its success closes the breaker, its
/// failure opens it for another cool-down.
final class CircuitBreaker: Sendable {
    enum State: String, Sendable {
        case closed, open
        case halfOpen = "half_open"
    }

    private struct Inner {
        var state = State.closed
        var consecutiveFailures = 0
        var openedAt: ContinuousClock.Instant?
        var probeInFlight = false
    }

    let failureThreshold: Int
    let cooldown: Duration
    private let inner = Mutex(Inner())

    init(failureThreshold: Int, cooldown: Duration) {
        self.failureThreshold = failureThreshold
        self.cooldown = cooldown
    }

    /// The state now (an open breaker whose cool-down has passed is half-open).
    func state(now: ContinuousClock.Instant = .now) -> State {
        inner.withLock { refreshed(&$0, now: now).state }
    }

    /// Whether a request may go now; in half-open, this claims the single probe.
    func allowRequest(now: ContinuousClock.Instant = .now) -> Bool {
        guard failureThreshold > 0 else { return true }
        return inner.withLock { inner in
            switch refreshed(&inner, now: now).state {
            case .closed:
                return true
            case .open:
                return false
            case .halfOpen:
                guard !inner.probeInFlight else { return false }
                inner.probeInFlight = true
                return true
            }
        }
    }

    /// The upstream answered (any answer that shows it is alive). Returns the new state if it changed.
    @discardableResult
    func recordSuccess() -> State? {
        inner.withLock { inner in
            let previous = inner.state
            inner = Inner()
            return previous == .closed ? nil : .closed
        }
    }

    /// The upstream failed in a way that counts against it. Returns the new state if it changed.
    @discardableResult
    func recordFailure(now: ContinuousClock.Instant = .now) -> State? {
        guard failureThreshold > 0 else { return nil }
        return inner.withLock { inner in
            let previous = refreshed(&inner, now: now).state
            inner.probeInFlight = false
            inner.consecutiveFailures += 1
            if previous == .halfOpen || inner.consecutiveFailures >= failureThreshold {
                inner.state = .open
                inner.openedAt = now
            }
            return inner.state == previous ? nil : inner.state
        }
    }

    /// The request ended without telling anything about the upstream (the client left).
    func recordAbandoned() {
        inner.withLock { $0.probeInFlight = false }
    }

    private func refreshed(_ inner: inout Inner, now: ContinuousClock.Instant) -> Inner {
        if inner.state == .open, let openedAt = inner.openedAt, now - openedAt >= cooldown {
            inner.state = .halfOpen
            inner.probeInFlight = false
        }
        return inner
    }
}
