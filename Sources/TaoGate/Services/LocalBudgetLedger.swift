import Foundation
import Synchronization

/// Budgets kept in this process: what each key used, as a running total per budget and period
/// (read from the usage store when the period is new here, and again every `refreshInterval` to
/// see what other processes on the same database used), and what its requests in flight hold.
/// Several instances each hold their own reservations.
final class LocalBudgetLedger: BudgetLedger {
    private struct BudgetState {
        var periodStart: Date?
        var used = 0.0
        var reserved = 0.0
        var readAt: ContinuousClock.Instant?
    }

    private let usage: any UsageStore
    private let calendar: UsageCalendar
    private let refreshInterval: Duration
    /// Per key, per budget kind (`daily:tokens`).
    private let state = Mutex<[String: [String: BudgetState]]>([:])

    init(usage: any UsageStore, calendar: UsageCalendar, refreshInterval: Duration = .seconds(5)) {
        self.usage = usage
        self.calendar = calendar
        self.refreshInterval = refreshInterval
    }

    func reserve(_ reservations: [BudgetReservation], keyID: String, now: Date) async throws -> [BudgetHold] {
        try await refreshUsage(of: keyID, budgets: reservations.map(\.budget), now: now)
        let outcome = state.withLock { states -> Result<[BudgetHold], BudgetRefusal> in
            var budgets = states[keyID, default: [:]]
            var holds: [BudgetHold] = []
            for reservation in reservations {
                let budget = reservation.budget
                let period = calendar.interval(of: budget.period, containing: now)
                var held = budgets[budget.kind] ?? BudgetState(periodStart: period?.start)
                if held.periodStart != period?.start { held = BudgetState(periodStart: period?.start) }
                if held.used + held.reserved >= budget.amount {
                    return .failure(BudgetRefusal(budget: budget, exhausted: held.used >= budget.amount, renews: period?.end))
                }
                held.reserved += reservation.amount
                budgets[budget.kind] = held
                holds.append(BudgetHold(budget: budget, periodStart: period?.start, amount: reservation.amount))
            }
            states[keyID] = budgets
            return .success(holds)
        }
        return try outcome.get()
    }

    func settle(_ holds: [BudgetHold], keyID: String, tokens: Int, cost: Money?, now: Date) async {
        state.withLock { states in
            guard var budgets = states[keyID] else { return }
            for hold in holds {
                guard var held = budgets[hold.budget.kind] else { continue }
                // A period that began meanwhile holds nothing of this request, and counts what it used.
                if held.periodStart == hold.periodStart { held.reserved = max(0, held.reserved - hold.amount) }
                held.used += hold.budget.use(tokens: tokens, cost: cost)
                budgets[hold.budget.kind] = held
            }
            states[keyID] = budgets
        }
    }

    func used(of budget: KeyBudget, keyID: String, now: Date) async throws -> Double {
        let start = calendar.interval(of: budget.period, containing: now)?.start
        return state.withLock { states in
            guard let held = states[keyID]?[budget.kind], held.periodStart == start else { return 0 }
            return held.used
        }
    }

    /// Nothing lapses here: a hold ends with its request, in this process.
    func prune(now: Date) async throws {}

    /// Reads what the key used in each budget's period, when that period is new to this
    /// instance or its last reading is older than the refresh interval.
    ///
    /// One request reads a stale budget again; the key's other requests meanwhile go on with the
    /// last reading (which is what they had until the interval ran out). Without that, every
    /// request of a busy key that came in while the reading ran read the usage rows too, each
    /// summing the whole period's rows, and all of them queued on the database.
    private func refreshUsage(of keyID: String, budgets: [KeyBudget], now: Date) async throws {
        let stale = state.withLock { states in
            budgets.filter { budget in
                let start = calendar.interval(of: budget.period, containing: now)?.start
                guard var held = states[keyID]?[budget.kind], held.periodStart == start, let readAt = held.readAt else { return true }
                guard ContinuousClock.now - readAt >= refreshInterval else { return false }
                // This request reads it; the next ones wait for the next interval.
                held.readAt = .now
                states[keyID]?[budget.kind] = held
                return true
            }
        }
        guard !stale.isEmpty else { return }
        var spendSince: [Date?: Spend] = [:]
        for budget in stale {
            let start = calendar.interval(of: budget.period, containing: now)?.start
            if spendSince[start] == nil { spendSince[start] = try await usage.spent(by: keyID, since: start) }
        }
        state.withLock { states in
            var budgets = states[keyID, default: [:]]
            for budget in stale {
                let start = calendar.interval(of: budget.period, containing: now)?.start
                var held = budgets[budget.kind] ?? BudgetState(periodStart: start)
                if held.periodStart != start { held = BudgetState(periodStart: start) }
                // Whichever is larger: this instance's own count may hold rows not yet written.
                held.used = max(held.used, budget.used(in: spendSince[start] ?? Spend()))
                held.readAt = .now
                budgets[budget.kind] = held
            }
            states[keyID] = budgets
        }
    }
}
