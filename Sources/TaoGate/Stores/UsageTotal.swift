import Foundation

/// One group's totals: requests (upstream calls), tokens by kind, cost by currency, and how many
/// calls had no price.
public struct UsageTotal: Sendable, Codable, Equatable {
    public var group: String
    public var requests: Int = 0
    public var promptTokens: Int = 0
    public var completionTokens: Int = 0
    public var cacheReadTokens: Int = 0
    public var cacheWriteTokens: Int = 0
    public var reasoningTokens: Int = 0
    /// Cost per currency of the priced calls.
    public var cost: [String: Double] = [:]
    /// Calls whose model had no price (their cost is unknown, not 0).
    public var unpricedRequests: Int = 0

    public init(group: String) {
        self.group = group
    }

    enum CodingKeys: String, CodingKey {
        case group, requests, cost
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case cacheReadTokens = "cache_read_tokens"
        case cacheWriteTokens = "cache_write_tokens"
        case reasoningTokens = "reasoning_tokens"
        case unpricedRequests = "unpriced_requests"
    }

    /// Adds another part of the same group (the same group from raw rows and from daily rollups).
    mutating func add(_ other: UsageTotal) {
        requests += other.requests
        promptTokens += other.promptTokens
        completionTokens += other.completionTokens
        cacheReadTokens += other.cacheReadTokens
        cacheWriteTokens += other.cacheWriteTokens
        reasoningTokens += other.reasoningTokens
        unpricedRequests += other.unpricedRequests
        for (currency, amount) in other.cost { cost[currency, default: 0] += amount }
    }

    /// Adds one record.
    mutating func add(_ record: UsageRecord) {
        var one = UsageTotal(group: group)
        one.requests = 1
        one.promptTokens = record.promptTokens
        one.completionTokens = record.completionTokens
        one.cacheReadTokens = record.cacheReadTokens
        one.cacheWriteTokens = record.cacheWriteTokens
        one.reasoningTokens = record.reasoningTokens
        if let cost = record.cost, let currency = record.currency {
            one.cost[currency.rawValue] = cost
        } else {
            one.unpricedRequests = 1
        }
        add(one)
    }

    /// Merges parts into one total per group, sorted by group.
    static func merged(_ parts: [UsageTotal]) -> [UsageTotal] {
        var byGroup: [String: UsageTotal] = [:]
        for part in parts { byGroup[part.group, default: UsageTotal(group: part.group)].add(part) }
        return byGroup.values.sorted { $0.group < $1.group }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(group, forKey: .group)
        try container.encode(requests, forKey: .requests)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(cacheReadTokens, forKey: .cacheReadTokens)
        try container.encode(cacheWriteTokens, forKey: .cacheWriteTokens)
        try container.encode(reasoningTokens, forKey: .reasoningTokens)
        try container.encode(cost.mapValues(Money.shown), forKey: .cost)
        try container.encode(unpricedRequests, forKey: .unpricedRequests)
    }
}
