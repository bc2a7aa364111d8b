import Foundation

/// Where what client keys used of their budgets, and what requests in flight hold, is kept: in
/// this process (`LocalBudgetLedger`: memory and SQLite), or in PostgreSQL for every instance of
/// a cluster at once (`PostgresBudgetLedger`).
protocol BudgetLedger: Sendable {
    /// Reserves `amount` of each budget of one key at `now` (all of them, or none) while what is
    /// used and held stays under each; throws `BudgetRefusal` otherwise.
    func reserve(_ reservations: [BudgetReservation], keyID: String, now: Date) async throws -> [BudgetHold]
    /// Gives back what a request held and counts what it used, in the periods in force at `now`.
    func settle(_ holds: [BudgetHold], keyID: String, tokens: Int, cost: Money?, now: Date) async
    /// What a key has used of a budget in the period holding `now`, as far as the ledger knows.
    func used(of budget: KeyBudget, keyID: String, now: Date) async throws -> Double
    /// Forgets holds that lapsed and periods long over (hourly, with the usage retention).
    func prune(now: Date) async throws
}

/// One budget of a request, and how much of it the request may use at most.
struct BudgetReservation: Sendable {
    var budget: KeyBudget
    var amount: Double
}

/// What an admitted request holds of one budget until it ends.
struct BudgetHold: Sendable {
    let budget: KeyBudget
    let periodStart: Date?
    let amount: Double
    /// The ledger's own name for the hold (PostgreSQL's row id).
    var id: Int64? = nil
}

/// A budget that has no room for a request.
struct BudgetRefusal: Error {
    let budget: KeyBudget
    /// Used up, rather than held by requests in flight.
    let exhausted: Bool
    /// When its period ends; nil for a budget that never renews.
    let renews: Date?
}

extension KeyBudget {
    /// How much of this budget a request used.
    func use(tokens: Int, cost: Money?) -> Double {
        switch limit {
        case .tokens: Double(tokens)
        case .money(_, let currency): cost?.currency == currency ? cost?.amount ?? 0 : 0
        }
    }
}
