import Foundation

/// Usage in process memory (`DATABASE_URL=memory:`): the last `maxRows` rows (for totals), and
/// each client key's token total since start (for budgets). Memory stays bounded however long the
/// process runs.
public actor MemoryUsageStore: UsageStore {
    public static let defaultMaxRows = 10_000

    private let maxRows: Int
    private var records: [UsageRecord] = []
    private var tokensByKey: [String: Int] = [:]

    public init(maxRows: Int = defaultMaxRows) {
        self.maxRows = maxRows
    }

    public func insert(_ records: [UsageRecord]) {
        self.records.append(contentsOf: records)
        for record in records {
            if let key = record.clientKey { tokensByKey[key, default: 0] += record.promptTokens + record.completionTokens }
        }
        // Trimmed a tenth at a time, so that trimming costs little per row.
        if self.records.count > maxRows + maxRows / 10 { self.records.removeFirst(self.records.count - maxRows) }
    }

    public func tokensUsed(by clientKey: String) -> Int {
        tokensByKey[clientKey] ?? 0
    }

    public func totals(from: Date, to: Date, groupBy: UsageGrouping) -> [UsageTotal] {
        var totals: [String: UsageTotal] = [:]
        for record in records where record.at >= from && record.at < to {
            let group = record.group(groupBy)
            totals[group, default: UsageTotal(group: group, requests: 0, promptTokens: 0, completionTokens: 0)].requests += 1
            totals[group]!.promptTokens += record.promptTokens
            totals[group]!.completionTokens += record.completionTokens
        }
        return totals.values.sorted { $0.group < $1.group }
    }

    /// The rows kept, for tests.
    public var all: [UsageRecord] { records }
}
