import Foundation

/// One upstream call, as the usage log keeps it.
public struct UsageRecord: Sendable, Codable, Equatable {
    public var at: Date
    public var clientKey: String?
    public var provider: String?
    public var model: String?
    public var status: Int
    /// The whole prompt, cached tokens included.
    public var promptTokens: Int
    /// The whole answer, reasoning tokens included.
    public var completionTokens: Int
    /// Prompt tokens read from the provider's cache.
    public var cacheReadTokens: Int = 0
    /// Prompt tokens written to the provider's cache.
    public var cacheWriteTokens: Int = 0
    /// Completion tokens spent on reasoning.
    public var reasoningTokens: Int = 0
    public var latencyMilliseconds: Double
    public var streamed: Bool
    public var cancelled: Bool
}

/// How `GET /api/usage` groups its totals.
public enum UsageGrouping: String, Sendable, CaseIterable {
    case key, model, day
}

/// One group's totals.
public struct UsageTotal: Sendable, Codable, Equatable {
    public var group: String
    public var requests: Int
    public var promptTokens: Int
    public var completionTokens: Int

    enum CodingKeys: String, CodingKey {
        case group, requests
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }
}

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
