import Foundation

/// Where usage rows live.
public protocol UsageStore: Sendable {
    func insert(_ records: [UsageRecord]) async throws
    /// Every token a client key has used.
    func tokensUsed(by clientKey: String) async throws -> Int
    func totals(from: Date, to: Date, groupBy: UsageGrouping) async throws -> [UsageTotal]
}

extension UsageRecord {
    /// The name of the group this record falls in.
    func group(_ grouping: UsageGrouping) -> String {
        switch grouping {
        case .key: clientKey ?? "anonymous"
        case .model: model ?? "unknown"
        case .day: String(ISO8601DateFormatter().string(from: at).prefix(10))
        }
    }
}
