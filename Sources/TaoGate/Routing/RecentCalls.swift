import Synchronization

/// The recent calls to one provider key, for the admin API's health view: the last `capacity`
/// calls within `window`, each its outcome and latency.
final class RecentCalls: Sendable {
    struct Summary: Sendable, Equatable {
        var calls = 0
        /// Calls the provider failed: 5xx, 429, 401/403, unreachable or timed out.
        var errors = 0
        var averageLatencyMilliseconds: Double?
        var p95LatencyMilliseconds: Double?

        var errorRate: Double? { calls == 0 ? nil : Double(errors) / Double(calls) }
    }

    private struct Call {
        var at: ContinuousClock.Instant
        var failed: Bool
        var latencyMilliseconds: Double
    }

    private struct Ring {
        var calls: [Call] = []
        var next = 0
    }

    let capacity: Int
    let window: Duration
    private let ring = Mutex(Ring())

    init(capacity: Int = 200, window: Duration = .seconds(300)) {
        self.capacity = capacity
        self.window = window
    }

    /// One call's answer (`status` as the usage log has it; 499, abandoned, is not recorded).
    func record(status: Int, latencyMilliseconds: Double, at now: ContinuousClock.Instant = .now) {
        guard status != 499 else { return }
        let failed = status >= 500 || status == 429 || status == 401 || status == 403
        let call = Call(at: now, failed: failed, latencyMilliseconds: latencyMilliseconds)
        ring.withLock { ring in
            if ring.calls.count < capacity {
                ring.calls.append(call)
            } else {
                ring.calls[ring.next] = call
            }
            ring.next = (ring.next + 1) % capacity
        }
    }

    func summary(now: ContinuousClock.Instant = .now) -> Summary {
        let recent = ring.withLock { $0.calls }.filter { now - $0.at <= window }
        guard !recent.isEmpty else { return Summary() }
        let latencies = recent.map(\.latencyMilliseconds).sorted()
        let p95 = latencies[min(latencies.count - 1, Int((Double(latencies.count) * 0.95).rounded(.up)) - 1)]
        return Summary(
            calls: recent.count,
            errors: recent.filter(\.failed).count,
            averageLatencyMilliseconds: latencies.reduce(0, +) / Double(latencies.count),
            p95LatencyMilliseconds: p95
        )
    }
}
