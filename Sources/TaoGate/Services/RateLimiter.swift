import Synchronization

/// A fixed-window request counter per client, as express-rate-limit keeps it: each client's
/// window starts with its first request and allows `limit` requests until it resets.
///
/// Memory stays bounded: counters live in two generations that rotate every window, so a client
/// unseen for two windows is forgotten, and at most `maxTrackedClients` are held; clients beyond
/// that share one counter.
public final class RateLimiter: RateLimiting {
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var limit: Int
        public var remaining: Int
        /// Time until the client's window resets.
        public var resetAfter: Duration
    }

    private struct Window {
        var count: Int
        var resetAt: ContinuousClock.Instant
    }

    private struct State {
        var current: [String: Window] = [:]
        var previous: [String: Window] = [:]
        var rotateAt: ContinuousClock.Instant
    }

    static let overflowKey = "\u{0}overflow"

    public let limit: Int
    public let window: Duration
    public let maxTrackedClients: Int
    private let state: Mutex<State>

    public init(limit: Int, window: Duration, maxTrackedClients: Int = 100_000, now: ContinuousClock.Instant = .now) {
        self.limit = limit
        self.window = window
        self.maxTrackedClients = maxTrackedClients
        self.state = Mutex(State(rotateAt: now + window))
    }

    /// Counts one request of `client` and says whether it may go ahead (against `limit`, or the
    /// limiter's own when nil).
    public func acquire(_ client: String, limit: Int? = nil, now: ContinuousClock.Instant) -> Decision {
        let limit = limit ?? self.limit
        return state.withLock { state in
            rotateIfDue(&state, now: now)
            var key = client
            var entry = state.current[key] ?? state.previous.removeValue(forKey: key)
            if entry == nil && state.current.count >= maxTrackedClients {
                state.previous.removeAll()
                if state.current.count >= maxTrackedClients {
                    key = Self.overflowKey
                    entry = state.current[key]
                }
            }
            if entry == nil || entry!.resetAt <= now {
                entry = Window(count: 0, resetAt: now + window)
            }
            entry!.count += 1
            state.current[key] = entry
            return Decision(
                allowed: entry!.count <= limit,
                limit: limit,
                remaining: max(0, limit - entry!.count),
                resetAfter: entry!.resetAt - now
            )
        }
    }

    /// Whether `client` has used up its window, without counting a request.
    public func isOverLimit(_ client: String, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            rotateIfDue(&state, now: now)
            guard let entry = state.current[client] ?? state.previous[client], entry.resetAt > now else { return false }
            return entry.count >= limit
        }
    }

    public func acquire(_ client: String, limit: Int?) async throws -> Decision {
        acquire(client, limit: limit, now: .now)
    }

    /// How many clients are remembered right now.
    public func trackedClients(now: ContinuousClock.Instant = .now) -> Int {
        state.withLock { state in
            rotateIfDue(&state, now: now)
            return state.current.count + state.previous.count
        }
    }

    private func rotateIfDue(_ state: inout State, now: ContinuousClock.Instant) {
        guard now >= state.rotateAt else { return }
        // Every counter in `previous` has reset by now; those in `current` may still run.
        state.previous = now >= state.rotateAt + window ? [:] : state.current
        state.current = [:]
        state.rotateAt = now + window
    }
}
