import HTTPTypes
import Synchronization

/// Admits the model requests of client keys: within a key's concurrency limit, and within its
/// token budget, counting what requests in flight may still use.
///
/// Each request reserves its largest possible cost (its token limit, or a default, plus an
/// estimate of its input) before the call, and settles with what it used when it ends. A request
/// is admitted while the tokens used and reserved stay under the budget, so concurrent calls can
/// overshoot it by at most the reservation of the last one admitted. The tokens used are a
/// running total: read from the usage store once, then kept here (and read again every few
/// seconds, to see what other instances of a cluster used), never summed per request.
final class KeyAdmission: Sendable {
    /// What an admitted request holds until it ends.
    struct Ticket: Sendable {
        let keyID: String
        let reservedTokens: Int
    }

    private struct KeyState {
        var inFlight = 0
        var reserved = 0
        var used = 0
        var usedReadAt: ContinuousClock.Instant?
    }

    private let usage: any UsageStore
    private let refreshInterval: Duration
    private let state = Mutex<[String: KeyState]>([:])

    init(usage: any UsageStore, refreshInterval: Duration = .seconds(5)) {
        self.usage = usage
        self.refreshInterval = refreshInterval
    }

    /// Admits a request of `key` that may use up to `maximumTokens`; nil when the key has no
    /// limits to keep. Throws 429 `budget_exceeded` or `rate_limited`.
    func admit(_ key: ClientKeys.Identity, maximumTokens: Int) async throws -> Ticket? {
        guard key.tokenBudget != nil || key.maxConcurrent != nil else { return nil }
        if key.tokenBudget != nil, needsUsageRead(of: key.id) {
            let stored = try await usage.tokensUsed(by: key.id)
            state.withLock { states in
                // Whichever is larger: this instance's own count may hold rows not yet written.
                states[key.id, default: KeyState()].used = max(states[key.id]?.used ?? 0, stored)
                states[key.id]?.usedReadAt = .now
            }
        }
        let reservation = key.tokenBudget == nil ? 0 : maximumTokens
        let refusal = state.withLock { states -> GatewayError? in
            var entry = states[key.id, default: KeyState()]
            if let limit = key.maxConcurrent, entry.inFlight >= limit {
                return GatewayError(
                    .rateLimited,
                    message: LocalizedMessage(
                        en: "This key already has \(limit) requests in flight; wait for one to finish.",
                        zh: "该密钥已有 \(limit) 个请求在处理中，请等待其中一个完成。"
                    ),
                    headers: [.retryAfter: "1"]
                )
            }
            if let budget = key.tokenBudget, entry.used + entry.reserved >= budget {
                let exhausted = entry.used >= budget
                return GatewayError(
                    .budgetExceeded,
                    message: exhausted
                        ? LocalizedMessage(en: "This key has used its token budget of \(budget) tokens.", zh: "该密钥已用完 \(budget) 个 token 的额度。")
                        : LocalizedMessage(
                            en: "This key's token budget of \(budget) tokens is held by requests in flight; retry when they end.",
                            zh: "该密钥 \(budget) 个 token 的额度正被处理中的请求占用，请稍后重试。"
                        ),
                    headers: exhausted ? [:] : [.retryAfter: "1"]
                )
            }
            entry.inFlight += 1
            entry.reserved += reservation
            states[key.id] = entry
            return nil
        }
        if let refusal { throw refusal }
        return Ticket(keyID: key.id, reservedTokens: reservation)
    }

    /// The request of `ticket` ended, having used `tokens`.
    func settle(_ ticket: Ticket, usedTokens tokens: Int) {
        state.withLock { states in
            guard var entry = states[ticket.keyID] else { return }
            entry.inFlight = max(0, entry.inFlight - 1)
            entry.reserved = max(0, entry.reserved - ticket.reservedTokens)
            entry.used += tokens
            states[ticket.keyID] = entry
        }
    }

    /// The tokens a key has used as far as this instance knows (for tests).
    func usedTokens(by keyID: String) -> Int {
        state.withLock { $0[keyID]?.used ?? 0 }
    }

    private func needsUsageRead(of keyID: String) -> Bool {
        state.withLock { states in
            guard let readAt = states[keyID]?.usedReadAt else { return true }
            return ContinuousClock.now - readAt >= refreshInterval
        }
    }
}
