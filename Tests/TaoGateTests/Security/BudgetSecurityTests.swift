import Foundation
import LLMClient
import MockUpstream
import Testing

@testable import TaoGate

/// Spending past a key's limits, by sequence and by concurrency.
@Suite("Security: budgets and concurrency")
struct BudgetSecurityTests {
    private static func key(in gateway: LiveGateway, budget: Int? = nil, maxConcurrent: Int? = nil) async throws -> String {
        let (_, secret) = try await ClientKeys(configured: [], store: gateway.stores.keys).create(
            name: "limited",
            rateLimit: nil,
            tokenBudget: budget,
            maxConcurrent: maxConcurrent
        )
        return secret
    }

    @Test("A key's token budget holds with RATE_LIMIT_MAX=0")
    func budgetsHoldWithoutRateLimits() async throws {
        try await LiveGateway.run(["RATE_LIMIT_MAX": "0"]) { gateway in
            let secret = try await Self.key(in: gateway, budget: 10)
            let first = try await gateway.post("/api/chat", json: #"{"message":"use it up please"}"#, headers: [("x-api-key", secret)])
            #expect(first.status == 200)
            let second = try await gateway.post("/api/chat", json: #"{"message":"more"}"#, headers: [("x-api-key", secret)])
            #expect(second.status == 429)
            #expect(second.json["code"] as? String == "budget_exceeded")
            #expect(gateway.mock.chatRequestCount == 1)
        }
    }

    @Test("200 parallel calls overshoot a budget by at most one reservation")
    func parallelCallsCannotOvershoot() async throws {
        try await LiveGateway.run(["RATE_LIMIT_MAX": "0"]) { gateway in
            let budget = 500
            let secret = try await Self.key(in: gateway, budget: budget)
            let body = #"{"model":"gpt-4o","max_tokens":50,"messages":[{"role":"user","content":"spend a little"}]}"#
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask { try await gateway.post("/v1/chat/completions", json: body, headers: [("x-api-key", secret)]).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 })
            #expect(statuses.contains(429))
            let reported = MockReply.usage(for: try #require(gateway.mock.chatRequests.first))
            let spent = gateway.mock.chatRequestCount * reported.totalTokens
            // One request's reservation is its max_tokens plus a quarter of its body's bytes.
            #expect(spent <= budget + 50 + body.utf8.count / 4 + reported.totalTokens)
        }
    }

    @Test("A key with --max-concurrent N has at most N requests in flight")
    func concurrencyIsCapped() async throws {
        try await LiveGateway.run(["RATE_LIMIT_MAX": "0"]) { gateway in
            let secret = try await Self.key(in: gateway, maxConcurrent: 2)
            gateway.mock.inject(MockFault(delayMs: 600, times: 10))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await gateway.post("/api/chat", json: #"{"message":"slow"}"#, headers: [("x-api-key", secret)]).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 2)
            #expect(statuses.filter { $0 == 429 }.count == 4)
            // The slots are free again once those requests end.
            #expect(try await gateway.post("/api/chat", json: #"{"message":"next"}"#, headers: [("x-api-key", secret)]).status == 200)
        }
    }

    @Test("The budget check keeps a running total instead of summing the usage rows per request")
    func budgetReadsUsageOncePerInterval() async throws {
        let store = CountingUsageStore()
        let admission = KeyAdmission(usage: store, refreshInterval: .seconds(60))
        let key = ClientKeys.Identity(id: "ck_x", limits: KeyLimits(budgets: [.tokens(1_000_000)]))
        for _ in 0..<50 {
            let ticket = try #require(try await admission.admit(key, demand: .init(inputTokens: 0, outputTokens: 10)))
            await admission.settle(ticket, usedTokens: 7, cost: nil)
        }
        #expect(await store.sums == 1)
        #expect(try await admission.used(of: key.limits.budgets[0], by: key.id) == 350)
    }
}

/// A usage store that counts how often a key's total is asked for.
actor CountingUsageStore: UsageStore {
    private(set) var sums = 0

    func insert(_ records: [UsageRecord]) {}

    func spent(by clientKey: String, since: Date?) -> Spend {
        sums += 1
        return Spend()
    }

    func totals(_ query: UsageQuery, calendar: UsageCalendar) -> [UsageTotal] { [] }
    func recentRequests(_ query: RecentRequestsQuery) -> [UsageRow] { [] }
    func rollUp(before cutoff: Date, batch: Int, calendar: UsageCalendar) -> Int { 0 }
}
