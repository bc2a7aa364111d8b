import Foundation

@testable import TaoGate

extension UsageStore {
    /// Totals over a range, in UTC, for every key and model.
    func totals(from: Date, to: Date, groupBy: UsageGrouping) async throws -> [UsageTotal] {
        try await totals(UsageQuery(from: from, to: to, groupBy: groupBy), calendar: .utc)
    }
}

extension ClientKeys {
    /// A key with a rate limit, a total token budget and a concurrency limit.
    func create(name: String, rateLimit: Int?, tokenBudget: Int?, maxConcurrent: Int? = nil) async throws -> (record: ClientKeyRecord, secret: String)
    {
        try await create(
            name: name,
            limits: KeyLimits(rateLimit: rateLimit, maxConcurrent: maxConcurrent, budgets: tokenBudget.map { [.tokens($0)] } ?? [])
        )
    }
}

extension UsageTotal {
    init(group: String, requests: Int, promptTokens: Int, completionTokens: Int, unpricedRequests: Int = 0) {
        self.init(group: group)
        self.requests = requests
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.unpricedRequests = unpricedRequests
    }
}
