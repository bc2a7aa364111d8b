import Foundation
import Logging
import ServiceLifecycle

/// Keeps the usage log from growing without end (USAGE_RETENTION_DAYS): rows older than that
/// many days (from the start of that day) are rolled up into daily totals per key, model and
/// currency, cost included, and deleted, `batchSize` rows per transaction with a pause between
/// batches, hourly and off the request path. Budgets and totals read the rollups for old days.
///
/// On PostgreSQL one instance at a time rolls a batch up (an advisory lock); the others skip.
struct UsageRetention: Service {
    let store: any UsageStore
    let days: Int
    let calendar: UsageCalendar
    let logger: Logger
    /// Forgets lapsed budget holds and old periods' use in the same round.
    var ledger: (any BudgetLedger)? = nil
    var batchSize = 1000
    var interval: Duration = .seconds(3600)
    var firstRunDelay: Duration = .seconds(60)
    var pause: Duration = .milliseconds(50)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: firstRunDelay)
            while true {
                do {
                    try await runOnce(now: Date())
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    logger.warning("usage retention failed; it runs again later", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// The first moment kept as rows at `now`.
    func cutoff(now: Date) -> Date {
        calendar.startOfDay(now.addingTimeInterval(-Double(days) * 86_400))
    }

    /// Rolls up every row older than the cutoff; returns how many moved.
    @discardableResult
    func runOnce(now: Date) async throws -> Int {
        let cutoff = cutoff(now: now)
        var moved = 0
        while true {
            let batch = try await store.rollUp(before: cutoff, batch: batchSize, calendar: calendar)
            moved += batch
            if batch < batchSize { break }
            try await Task.sleep(for: pause)
        }
        try await ledger?.prune(now: now)
        if moved > 0 {
            logger.info("rolled up old usage rows into daily totals", metadata: ["rows": "\(moved)", "before": "\(cutoff)"])
        }
        return moved
    }
}
