import Foundation

/// Usage in process memory (`DATABASE_URL=memory:`): the last `maxRows` rows (for totals and
/// recent requests), and each client key's spend in quarter hours (for budgets: every time
/// zone's midnight falls on a quarter hour), those older than two months merged into one sum.
/// Memory stays bounded however long the process runs.
public actor MemoryUsageStore: UsageStore {
    public static let defaultMaxRows = 10_000

    private static let bucketSeconds = 900.0
    /// Quarter hours kept apart: enough for any daily or monthly period.
    private static let bucketsKept = 62 * 96

    private let maxRows: Int
    private var rows: [UsageRow] = []
    private var nextID: Int64 = 1
    private var spendByKey: [String: [Int: Spend]] = [:]
    /// Spend from before the quarter hours kept, per key.
    private var olderSpend: [String: Spend] = [:]

    public init(maxRows: Int = defaultMaxRows) {
        self.maxRows = maxRows
    }

    public func insert(_ records: [UsageRecord]) {
        for record in records {
            rows.append(UsageRow(id: nextID, record: record))
            nextID += 1
            if let key = record.clientKey {
                let bucket = Int((record.at.timeIntervalSince1970 / Self.bucketSeconds).rounded(.down))
                spendByKey[key, default: [:]][bucket, default: Spend()].add(record)
                if spendByKey[key]!.count > Self.bucketsKept + 96 { mergeOldBuckets(of: key) }
            }
        }
        // Trimmed a tenth at a time, so that trimming costs little per row.
        if rows.count > maxRows + maxRows / 10 { rows.removeFirst(rows.count - maxRows) }
    }

    private func mergeOldBuckets(of key: String) {
        guard let buckets = spendByKey[key], let newest = buckets.keys.max() else { return }
        let oldest = newest - Self.bucketsKept
        for (bucket, spend) in buckets where bucket < oldest {
            olderSpend[key, default: Spend()].add(spend)
            spendByKey[key]![bucket] = nil
        }
    }

    public func spent(by clientKey: String, since: Date?) -> Spend {
        var spend = since == nil ? olderSpend[clientKey] ?? Spend() : Spend()
        let first = since.map { Int(($0.timeIntervalSince1970 / Self.bucketSeconds).rounded(.down)) } ?? Int.min
        for (bucket, part) in spendByKey[clientKey] ?? [:] where bucket >= first { spend.add(part) }
        return spend
    }

    public func totals(_ query: UsageQuery, calendar: UsageCalendar) -> [UsageTotal] {
        var totals: [String: UsageTotal] = [:]
        for row in rows where query.matches(row.record) {
            let group = query.group(of: row.record, calendar: calendar)
            totals[group, default: UsageTotal(group: group)].add(row.record)
        }
        return totals.values.sorted { $0.group < $1.group }
    }

    public func recentRequests(_ query: RecentRequestsQuery) -> [UsageRow] {
        Array(rows.reversed().lazy.filter(query.matches).prefix(query.limit))
    }

    /// Nothing to roll up: memory keeps only the last rows anyway.
    public func rollUp(before cutoff: Date, batch: Int, calendar: UsageCalendar) -> Int { 0 }

    /// The rows kept, for tests.
    public var all: [UsageRecord] { rows.map(\.record) }
}
