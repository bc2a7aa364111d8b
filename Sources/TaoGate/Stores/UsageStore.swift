import Foundation

/// Where usage rows live, with their daily rollups (`USAGE_RETENTION_DAYS`).
public protocol UsageStore: Sendable {
    func insert(_ records: [UsageRecord]) async throws
    /// What a client key used from `since` on (nil: ever), rolled-up days included.
    func spent(by clientKey: String, since: Date?) async throws -> Spend
    /// Totals per group, aggregated by the database; rolled-up days count for `key`, `model`
    /// and `day` (not `hour`: a rollup keeps no hours).
    func totals(_ query: UsageQuery, calendar: UsageCalendar) async throws -> [UsageTotal]
    /// A page of the most recent rows, newest first.
    func recentRequests(_ query: RecentRequestsQuery) async throws -> [UsageRow]
    /// Moves up to `batch` rows older than `cutoff` into daily totals per key, model and
    /// currency, in one transaction; returns how many moved (fewer than `batch`: none are left).
    func rollUp(before cutoff: Date, batch: Int, calendar: UsageCalendar) async throws -> Int
}

extension UsageStore {
    /// Every token a client key has used.
    public func tokensUsed(by clientKey: String) async throws -> Int {
        try await spent(by: clientKey, since: nil).tokens
    }
}

/// Rows summed per day, key, model and currency: what `rollUp` writes to `usage_daily`.
struct DailyRollup {
    struct Group: Hashable {
        var day: String
        var dayStart: Date
        /// `""` for calls without a key, model or price.
        var clientKey: String
        var model: String
        var currency: String
    }

    struct Sums {
        var requests = 0
        var promptTokens = 0
        var completionTokens = 0
        var cacheReadTokens = 0
        var cacheWriteTokens = 0
        var reasoningTokens = 0
        var cost: Double?
        var unpriced = 0
    }

    private(set) var groups: [Group: Sums] = [:]

    init(_ records: [UsageRecord], calendar: UsageCalendar) {
        for record in records {
            let group = Group(
                day: calendar.dayLabel(of: record.at),
                dayStart: calendar.startOfDay(record.at),
                clientKey: record.clientKey ?? "",
                model: record.model ?? "",
                currency: record.cost == nil ? "" : record.currency?.rawValue ?? ""
            )
            var sums = groups[group] ?? Sums()
            sums.requests += 1
            sums.promptTokens += record.promptTokens
            sums.completionTokens += record.completionTokens
            sums.cacheReadTokens += record.cacheReadTokens
            sums.cacheWriteTokens += record.cacheWriteTokens
            sums.reasoningTokens += record.reasoningTokens
            if let cost = record.cost, record.currency != nil {
                sums.cost = (sums.cost ?? 0) + cost
            } else {
                sums.unpriced += 1
            }
            groups[group] = sums
        }
    }
}

extension UsageTotal {
    /// A total read from a database row: `currency` empty for the unpriced part.
    init(
        group: String,
        currency: String,
        requests: Int,
        prompt: Int,
        completion: Int,
        cacheRead: Int,
        cacheWrite: Int,
        reasoning: Int,
        cost: Double?,
        unpriced: Int
    ) {
        self.init(group: group)
        self.requests = requests
        promptTokens = prompt
        completionTokens = completion
        cacheReadTokens = cacheRead
        cacheWriteTokens = cacheWrite
        reasoningTokens = reasoning
        if let cost, !currency.isEmpty { self.cost[currency] = cost }
        unpricedRequests = unpriced
    }
}

extension UsageQuery {
    /// The rollups' name for a group value: calls without a key or model are kept under `""`.
    static func rollupValue(_ value: String, anonymousAs name: String) -> String {
        value == name ? "" : value
    }

    static func groupName(ofRollup value: String, anonymousAs name: String) -> String {
        value.isEmpty ? name : value
    }
}
