import Foundation

/// Usage in process memory (`DATABASE_URL=memory:`).
public actor MemoryUsageStore: UsageStore {
    private var records: [UsageRecord] = []

    public init() {}

    public func insert(_ records: [UsageRecord]) {
        self.records.append(contentsOf: records)
    }

    public func tokensUsed(by clientKey: String) -> Int {
        records.filter { $0.clientKey == clientKey }.reduce(0) { $0 + $1.promptTokens + $1.completionTokens }
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

    /// Every record, for tests.
    public var all: [UsageRecord] { records }
}
