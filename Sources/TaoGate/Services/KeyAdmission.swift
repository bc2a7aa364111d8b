import Foundation
import HTTPTypes
import Synchronization

/// Admits the model requests of client keys: within a key's concurrency limit, and within each
/// of its budgets (tokens or money, over its whole life, a day or a month), counting what
/// requests in flight may still use.
///
/// Each request reserves its largest possible use before the call (its token limit, or a
/// default, plus an estimate of its input; in money, those tokens at the dearest prices of its
/// model) and settles with what it used when it ends. A request is admitted while what is used
/// and reserved stays under every budget, so concurrent calls can overshoot a budget by at most
/// the reservation of the last one admitted. What is used is a running total per budget and
/// period: read from the usage store when the period starts, then kept here (and read again
/// every few seconds, to see what other instances of a cluster used), never summed per request.
final class KeyAdmission: Sendable {
    /// The most a request may use: what its reservation holds.
    struct Demand: Sendable {
        var inputTokens: Int
        var outputTokens: Int
        /// The price of its model with the provider that serves it; nil when it has none.
        var price: ModelPrice?

        var tokens: Int { inputTokens + outputTokens }
    }

    /// What an admitted request holds until it ends.
    struct Ticket: Sendable {
        struct Hold: Sendable {
            let kind: String
            let periodStart: Date?
            let reserved: Double
        }

        let keyID: String
        let holds: [Hold]
    }

    private struct BudgetState {
        var periodStart: Date?
        var used = 0.0
        var reserved = 0.0
        var readAt: ContinuousClock.Instant?
    }

    private struct KeyState {
        var inFlight = 0
        var budgets: [String: BudgetState] = [:]
    }

    private let usage: any UsageStore
    private let calendar: UsageCalendar
    private let refreshInterval: Duration
    private let now: @Sendable () -> Date
    private let state = Mutex<[String: KeyState]>([:])

    init(
        usage: any UsageStore,
        calendar: UsageCalendar = .utc,
        refreshInterval: Duration = .seconds(5),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.usage = usage
        self.calendar = calendar
        self.refreshInterval = refreshInterval
        self.now = now
    }

    /// Admits a request of `key`; nil when the key has no limits to keep. Throws 429
    /// `budget_exceeded` or `rate_limited`, or 403 `model_not_allowed` for a model without a
    /// price in the currency of a money budget.
    func admit(_ key: ClientKeys.Identity, demand: Demand) async throws -> Ticket? {
        let limits = key.limits
        guard limits.needsAdmission else { return nil }
        let now = self.now()
        for budget in limits.budgets { try Self.checkPriced(demand, for: budget) }
        try await refreshUsage(of: key.id, budgets: limits.budgets, now: now)
        let admitted = state.withLock { states -> Result<Ticket, GatewayError> in
            var entry = states[key.id, default: KeyState()]
            if let limit = limits.maxConcurrent, entry.inFlight >= limit {
                return .failure(Self.tooManyInFlight(limit))
            }
            var holds: [Ticket.Hold] = []
            for budget in limits.budgets {
                let period = calendar.interval(of: budget.period, containing: now)
                var held = entry.budgets[budget.kind] ?? BudgetState(periodStart: period?.start)
                if held.periodStart != period?.start { held = BudgetState(periodStart: period?.start) }
                if held.used + held.reserved >= budget.amount {
                    return .failure(Self.refusal(budget, exhausted: held.used >= budget.amount, renews: period?.end, now: now))
                }
                let reservation = Self.reservation(of: demand, for: budget)
                held.reserved += reservation
                entry.budgets[budget.kind] = held
                holds.append(Ticket.Hold(kind: budget.kind, periodStart: period?.start, reserved: reservation))
            }
            entry.inFlight += 1
            states[key.id] = entry
            return .success(Ticket(keyID: key.id, holds: holds))
        }
        return try admitted.get()
    }

    /// The request of `ticket` ended, having used `tokens` and spent `cost`.
    func settle(_ ticket: Ticket, usedTokens tokens: Int, cost: Money?) {
        state.withLock { states in
            guard var entry = states[ticket.keyID] else { return }
            entry.inFlight = max(0, entry.inFlight - 1)
            for hold in ticket.holds {
                guard var held = entry.budgets[hold.kind] else { continue }
                // A period that began meanwhile holds nothing of this request, and counts what it used.
                if held.periodStart == hold.periodStart { held.reserved = max(0, held.reserved - hold.reserved) }
                held.used += Self.use(tokens: tokens, cost: cost, kind: hold.kind)
                entry.budgets[hold.kind] = held
            }
            states[ticket.keyID] = entry
        }
    }

    /// What a key has used of the budget of `kind` in its current period, as far as this
    /// instance knows (for tests).
    func used(by keyID: String, kind: String) -> Double {
        state.withLock { $0[keyID]?.budgets[kind]?.used ?? 0 }
    }

    // MARK: - Usage from the store

    /// Reads what the key used in each budget's period, when that period is new to this
    /// instance or its last reading is older than the refresh interval.
    private func refreshUsage(of keyID: String, budgets: [KeyBudget], now: Date) async throws {
        let stale = state.withLock { states in
            budgets.filter { budget in
                let start = calendar.interval(of: budget.period, containing: now)?.start
                guard let held = states[keyID]?.budgets[budget.kind], held.periodStart == start, let readAt = held.readAt else { return true }
                return ContinuousClock.now - readAt >= refreshInterval
            }
        }
        guard !stale.isEmpty else { return }
        var spendSince: [Date?: Spend] = [:]
        for budget in stale {
            let start = calendar.interval(of: budget.period, containing: now)?.start
            if spendSince[start] == nil { spendSince[start] = try await usage.spent(by: keyID, since: start) }
        }
        state.withLock { states in
            var entry = states[keyID, default: KeyState()]
            for budget in stale {
                let start = calendar.interval(of: budget.period, containing: now)?.start
                var held = entry.budgets[budget.kind] ?? BudgetState(periodStart: start)
                if held.periodStart != start { held = BudgetState(periodStart: start) }
                let stored = budget.used(in: spendSince[start] ?? Spend())
                // Whichever is larger: this instance's own count may hold rows not yet written.
                held.used = max(held.used, stored)
                held.readAt = .now
                entry.budgets[budget.kind] = held
            }
            states[keyID] = entry
        }
    }

    // MARK: - Amounts

    private static func reservation(of demand: Demand, for budget: KeyBudget) -> Double {
        switch budget.limit {
        case .tokens: Double(demand.tokens)
        case .money: demand.price?.maximumCost(inputTokens: demand.inputTokens, outputTokens: demand.outputTokens).amount ?? 0
        }
    }

    private static func use(tokens: Int, cost: Money?, kind: String) -> Double {
        if kind.hasSuffix(":tokens") { return Double(tokens) }
        guard let cost, kind.hasSuffix(":" + cost.currency.rawValue) else { return 0 }
        return cost.amount
    }

    /// A money budget holds only for models priced in its currency.
    private static func checkPriced(_ demand: Demand, for budget: KeyBudget) throws {
        guard case .money(_, let currency) = budget.limit, demand.price?.currency != currency else { return }
        throw GatewayError(
            .modelNotAllowed,
            message: LocalizedMessage(
                en:
                    "This key's spending is limited in \(currency.rawValue), and this model has no price in \(currency.rawValue): it may call priced models only.",
                zh: "该密钥的消费额度以 \(currency.rawValue) 计，而此模型没有 \(currency.rawValue) 价格：只能调用已定价的模型。"
            )
        )
    }

    // MARK: - Refusals

    private static func tooManyInFlight(_ limit: Int) -> GatewayError {
        GatewayError(
            .rateLimited,
            message: LocalizedMessage(
                en: "This key already has \(limit) requests in flight; wait for one to finish.",
                zh: "该密钥已有 \(limit) 个请求在处理中，请等待其中一个完成。"
            ),
            headers: [.retryAfter: "1"]
        )
    }

    private static func refusal(_ budget: KeyBudget, exhausted: Bool, renews: Date?, now: Date) -> GatewayError {
        let (en, zh) = describe(budget)
        guard exhausted else {
            return GatewayError(
                .budgetExceeded,
                message: LocalizedMessage(
                    en: "This key's \(en) is held by requests in flight; retry when they end.",
                    zh: "该密钥的\(zh)正被处理中的请求占用，请稍后重试。"
                ),
                headers: [.retryAfter: "1"]
            )
        }
        guard let renews else {
            return GatewayError(
                .budgetExceeded,
                message: LocalizedMessage(en: "This key has used its \(en).", zh: "该密钥已用完\(zh)。")
            )
        }
        let format = ISO8601DateFormatter()
        let seconds = max(1, Int(renews.timeIntervalSince(now).rounded(.up)))
        return GatewayError(
            .budgetExceeded,
            message: LocalizedMessage(
                en: "This key has used its \(en); it renews at \(format.string(from: renews)).",
                zh: "该密钥已用完\(zh)，将于 \(format.string(from: renews)) 恢复。"
            ),
            headers: [.retryAfter: String(seconds)]
        )
    }

    private static func describe(_ budget: KeyBudget) -> (en: String, zh: String) {
        let (kind, amount): ((en: String, zh: String), (en: String, zh: String))
        switch budget.limit {
        case .tokens(let count): (kind, amount) = (("token budget", "token 额度"), ("\(count) tokens", "\(count) 个 token"))
        case .money(let value, let currency):
            (kind, amount) = (("budget", "额度"), ("\(Money.shown(value)) \(currency.rawValue)", "\(Money.shown(value)) \(currency.rawValue)"))
        }
        switch budget.period {
        case .total: return ("\(kind.en) of \(amount.en)", " \(amount.zh) 的\(kind.zh)")
        case .daily: return ("daily \(kind.en) of \(amount.en)", "每日 \(amount.zh) 的\(kind.zh)")
        case .monthly: return ("monthly \(kind.en) of \(amount.en)", "每月 \(amount.zh) 的\(kind.zh)")
        }
    }
}
