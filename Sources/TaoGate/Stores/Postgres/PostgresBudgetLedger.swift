import Foundation
import PostgresNIO
import Synchronization

/// Budgets kept in PostgreSQL for a whole cluster: what each key used per budget and period
/// (`budget_usage`), and each request in flight's hold (`budget_reservations`). A reservation
/// takes a per-key lock, sums what is used and held, and inserts its holds in one transaction, so
/// concurrent requests on every instance together overshoot a budget by at most the last
/// reservation admitted. A hold a crashed instance leaves behind counts until `holdLifetime`
/// passes.
///
/// A period's use starts from the usage rows already written for it (a budget added to a key
/// mid-month counts the month so far), then grows as requests settle.
final class PostgresBudgetLedger: BudgetLedger {
    private let database: PostgresDatabase
    private let usage: any UsageStore
    private let calendar: UsageCalendar
    /// How long a hold counts when its request never settles (its instance went away).
    let holdLifetime: TimeInterval
    /// The periods known to have a `budget_usage` row, so that steady traffic skips the check.
    private let seeded = Mutex<Set<String>>([])

    /// The advisory-lock namespace of budgets (with each key's hash as the second number).
    private static let lockNamespace = 727_276

    init(database: PostgresDatabase, usage: any UsageStore, calendar: UsageCalendar, holdLifetime: TimeInterval = 3600) {
        self.database = database
        self.usage = usage
        self.calendar = calendar
        self.holdLifetime = holdLifetime
    }

    func reserve(_ reservations: [BudgetReservation], keyID: String, now: Date) async throws -> [BudgetHold] {
        var planned: [(hold: BudgetHold, renews: Date?)] = []
        for reservation in reservations {
            let period = calendar.interval(of: reservation.budget.period, containing: now)
            try await seedUse(of: reservation.budget, keyID: keyID, periodStart: period?.start)
            planned.append((BudgetHold(budget: reservation.budget, periodStart: period?.start, amount: reservation.amount), period?.end))
        }
        let logger = database.logger
        let nowSeconds = now.timeIntervalSince1970
        let expires = nowSeconds + holdLifetime
        let plans = planned
        let outcome = try await database.transaction { connection -> Result<[BudgetHold], BudgetRefusal> in
            try await connection.query("SELECT pg_advisory_xact_lock(\(unescaped: String(Self.lockNamespace)), hashtext(\(keyID)))", logger: logger)
            for (hold, renews) in plans {
                let start = Self.seconds(hold.periodStart)
                let kind = hold.budget.kind
                let rows = try await connection.query(
                    """
                    SELECT u.used, COALESCE((SELECT SUM(r.amount) FROM budget_reservations r WHERE r.key_id = u.key_id
                        AND r.kind = u.kind AND r.period_start = u.period_start AND r.expires_at > \(nowSeconds)), 0)::DOUBLE PRECISION
                    FROM budget_usage u WHERE u.key_id = \(keyID) AND u.kind = \(kind) AND u.period_start = \(start)
                    """,
                    logger: logger
                )
                var used = 0.0
                var held = 0.0
                for try await (rowUsed, rowHeld) in rows.decode((Double, Double).self) { (used, held) = (rowUsed, rowHeld) }
                if used + held >= hold.budget.amount {
                    return .failure(BudgetRefusal(budget: hold.budget, exhausted: used >= hold.budget.amount, renews: renews))
                }
            }
            var made: [BudgetHold] = []
            for (hold, _) in plans {
                let start = Self.seconds(hold.periodStart)
                let inserted = try await connection.query(
                    """
                    INSERT INTO budget_reservations (key_id, kind, period_start, amount, expires_at)
                    VALUES (\(keyID), \(hold.budget.kind), \(start), \(hold.amount), \(expires)) RETURNING id
                    """,
                    logger: logger
                )
                var placed = hold
                for try await id in inserted.decode(Int.self) { placed.id = Int64(id) }
                made.append(placed)
            }
            return .success(made)
        }
        return try outcome.get()
    }

    func settle(_ holds: [BudgetHold], keyID: String, tokens: Int, cost: Money?, now: Date) async {
        // Not cancelled with the request (a client that left still spent, and its holds must go).
        await Task { await self.write(holds, keyID: keyID, tokens: tokens, cost: cost, now: now) }.value
    }

    private func write(_ holds: [BudgetHold], keyID: String, tokens: Int, cost: Money?, now: Date) async {
        let logger = database.logger
        let ids = holds.compactMap(\.id).map(Int.init)
        let uses = holds.map { hold in
            (
                kind: hold.budget.kind, start: Self.seconds(calendar.interval(of: hold.budget.period, containing: now)?.start),
                amount: hold.budget.use(tokens: tokens, cost: cost)
            )
        }
        do {
            try await database.transaction { connection in
                if !ids.isEmpty {
                    try await connection.query("DELETE FROM budget_reservations WHERE id = ANY(\(ids))", logger: logger)
                }
                for use in uses where use.amount > 0 {
                    try await connection.query(
                        """
                        INSERT INTO budget_usage (key_id, kind, period_start, used) VALUES (\(keyID), \(use.kind), \(use.start), \(use.amount))
                        ON CONFLICT (key_id, kind, period_start) DO UPDATE SET used = budget_usage.used + EXCLUDED.used
                        """,
                        logger: logger
                    )
                }
            }
        } catch {
            // The holds lapse after holdLifetime; the use is in the usage rows for the next period's seed.
            logger.warning("could not settle a budget hold", metadata: ["key": "\(keyID)", "error": "\(String(reflecting: type(of: error)))"])
        }
    }

    func used(of budget: KeyBudget, keyID: String, now: Date) async throws -> Double {
        let start = Self.seconds(calendar.interval(of: budget.period, containing: now)?.start)
        let rows = try await database.query(
            "SELECT used FROM budget_usage WHERE key_id = \(keyID) AND kind = \(budget.kind) AND period_start = \(start)"
        )
        return try rows.decode(Double.self).first ?? 0
    }

    /// Removes holds that lapsed and the use of periods long over (a total's never goes).
    func prune(now: Date) async throws {
        let seconds = now.timeIntervalSince1970
        try await database.query("DELETE FROM budget_reservations WHERE expires_at < \(seconds)")
        try await database.query("DELETE FROM budget_usage WHERE period_start > 0 AND period_start < \(seconds - 62 * 86_400)")
    }

    /// Makes sure the period has its `budget_usage` row, started from the usage rows written so far.
    private func seedUse(of budget: KeyBudget, keyID: String, periodStart: Date?) async throws {
        let start = Self.seconds(periodStart)
        let name = "\(keyID)|\(budget.kind)|\(start)"
        guard !seeded.withLock({ $0.contains(name) }) else { return }
        let existing = try await database.query(
            "SELECT 1 FROM budget_usage WHERE key_id = \(keyID) AND kind = \(budget.kind) AND period_start = \(start)"
        )
        if existing.isEmpty {
            let used = budget.used(in: try await usage.spent(by: keyID, since: periodStart))
            try await database.query(
                """
                INSERT INTO budget_usage (key_id, kind, period_start, used) VALUES (\(keyID), \(budget.kind), \(start), \(used))
                ON CONFLICT (key_id, kind, period_start) DO NOTHING
                """
            )
        }
        seeded.withLock { names in
            if names.count > 10_000 { names.removeAll() }
            names.insert(name)
        }
    }

    /// A period's start as stored: seconds since 1970, 0 for a period that never began (`total`).
    private static func seconds(_ start: Date?) -> Double {
        start?.timeIntervalSince1970 ?? 0
    }
}
