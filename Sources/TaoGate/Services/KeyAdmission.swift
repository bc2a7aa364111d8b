import Foundation
import HTTPTypes
import Synchronization

/// Admits the model requests of client keys: within a key's concurrency limit (per instance), and
/// within each of its budgets (tokens or money, over its whole life, a day or a month), counting
/// what requests in flight may still use.
///
/// Each request reserves its largest possible use before the call (its token limit, or a
/// default, plus an estimate of its input; in money, those tokens at the dearest prices of its
/// model) and settles with what it used when it ends. A request is admitted while what is used
/// and reserved stays under every budget, so concurrent calls can overshoot a budget by at most
/// the reservation of the last one admitted. The `BudgetLedger` keeps the running totals and the
/// holds: in this process (memory, SQLite), or in PostgreSQL for the whole cluster.
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
        let keyID: String
        let holds: [BudgetHold]
        /// It holds one of the key's concurrency slots.
        let countsInFlight: Bool
    }

    let ledger: any BudgetLedger
    private let now: @Sendable () -> Date
    /// Requests in flight per key (for concurrency limits, per instance).
    private let inFlight = Mutex<[String: Int]>([:])

    init(ledger: any BudgetLedger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.ledger = ledger
        self.now = now
    }

    /// Budgets kept in this process, from `usage`.
    convenience init(
        usage: any UsageStore,
        calendar: UsageCalendar = .utc,
        refreshInterval: Duration = .seconds(5),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.init(ledger: LocalBudgetLedger(usage: usage, calendar: calendar, refreshInterval: refreshInterval), now: now)
    }

    /// Admits a request of `key`; nil when the key has no limits to keep. Throws 429
    /// `budget_exceeded` or `rate_limited`, or 403 `model_not_allowed` for a model without a
    /// price in the currency of a money budget.
    func admit(_ key: ClientKeys.Identity, demand: Demand) async throws -> Ticket? {
        let limits = key.limits
        guard limits.needsAdmission else { return nil }
        for budget in limits.budgets { try Self.checkPriced(demand, for: budget) }
        if let limit = limits.maxConcurrent {
            let taken = inFlight.withLock { counts in
                guard counts[key.id, default: 0] < limit else { return false }
                counts[key.id, default: 0] += 1
                return true
            }
            guard taken else { throw Self.tooManyInFlight(limit) }
        }
        let now = self.now()
        do {
            let reservations = limits.budgets.map { BudgetReservation(budget: $0, amount: Self.reservation(of: demand, for: $0)) }
            let holds = reservations.isEmpty ? [] : try await ledger.reserve(reservations, keyID: key.id, now: now)
            return Ticket(keyID: key.id, holds: holds, countsInFlight: limits.maxConcurrent != nil)
        } catch {
            if limits.maxConcurrent != nil { release(key.id) }
            if let refusal = error as? BudgetRefusal { throw Self.refusal(refusal, now: now) }
            throw error
        }
    }

    /// The request of `ticket` ended, having used `tokens` and spent `cost`.
    func settle(_ ticket: Ticket, usedTokens tokens: Int, cost: Money?) async {
        if ticket.countsInFlight { release(ticket.keyID) }
        guard !ticket.holds.isEmpty else { return }
        await ledger.settle(ticket.holds, keyID: ticket.keyID, tokens: tokens, cost: cost, now: now())
    }

    /// What a key has used of `budget` in its current period, as far as the ledger knows.
    func used(of budget: KeyBudget, by keyID: String) async throws -> Double {
        try await ledger.used(of: budget, keyID: keyID, now: now())
    }

    private func release(_ keyID: String) {
        inFlight.withLock { counts in
            counts[keyID] = max(0, (counts[keyID] ?? 1) - 1)
            if counts[keyID] == 0 { counts[keyID] = nil }
        }
    }

    // MARK: - Amounts

    private static func reservation(of demand: Demand, for budget: KeyBudget) -> Double {
        switch budget.limit {
        case .tokens: Double(demand.tokens)
        case .money: demand.price?.maximumCost(inputTokens: demand.inputTokens, outputTokens: demand.outputTokens).amount ?? 0
        }
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

    private static func refusal(_ refusal: BudgetRefusal, now: Date) -> GatewayError {
        let (en, zh) = describe(refusal.budget)
        guard refusal.exhausted else {
            return GatewayError(
                .budgetExceeded,
                message: LocalizedMessage(
                    en: "This key's \(en) is held by requests in flight; retry when they end.",
                    zh: "该密钥的\(zh)正被处理中的请求占用，请稍后重试。"
                ),
                headers: [.retryAfter: "1"]
            )
        }
        guard let renews = refusal.renews else {
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
