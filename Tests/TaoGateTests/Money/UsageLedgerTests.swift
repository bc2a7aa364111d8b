import Foundation
import Logging
import Testing

@testable import TaoGate

/// The usage log on every back end: costs, totals by time zone, recent requests, rollups.
@Suite("Usage ledger")
struct UsageLedgerTests {
    typealias Backend = StoreContractTests.Backend

    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func row(
        _ key: String?,
        _ model: String,
        at: Date,
        prompt: Int = 10,
        completion: Int = 5,
        cost: Double? = nil,
        currency: Currency? = nil,
        status: Int = 200
    ) -> UsageRecord {
        UsageRecord(
            at: at,
            clientKey: key,
            provider: "p",
            model: model,
            status: status,
            promptTokens: prompt,
            completionTokens: completion,
            cacheReadTokens: 2,
            cacheWriteTokens: 1,
            reasoningTokens: 3,
            latencyMilliseconds: 7,
            streamed: true,
            cancelled: false,
            requestID: "req-\(model)",
            durationMilliseconds: 9,
            cost: cost,
            currency: cost == nil ? nil : currency ?? .CNY
        )
    }

    static let day = ISO8601DateFormatter().date(from: "2026-06-10T12:00:00Z")!

    @Test("Totals hold every kind of token and the cost per currency, and count unpriced calls apart", arguments: Backend.available)
    func totalsHoldCostsAndKinds(backend: Backend) async throws {
        try await StoreContractTests.withStores(backend) { stores in
            try await stores.usage.insert([
                Self.row("k1", "m", at: Self.day, cost: 0.5), Self.row("k1", "m", at: Self.day, cost: 0.25),
                Self.row("k1", "m", at: Self.day, cost: 2, currency: .USD), Self.row("k1", "m", at: Self.day),
            ])
            let totals = try await stores.usage.totals(from: .distantPast, to: .distantFuture, groupBy: .model)
            let total = try #require(totals.first)
            #expect(totals.count == 1)
            #expect(total.requests == 4)
            #expect(total.promptTokens == 40 && total.completionTokens == 20)
            #expect(total.cacheReadTokens == 8 && total.cacheWriteTokens == 4 && total.reasoningTokens == 12)
            #expect(total.cost == ["CNY": 0.75, "USD": 2])
            #expect(total.unpricedRequests == 1)
        }
    }

    @Test("A key's spend since a time counts tokens and money per currency", arguments: Backend.available)
    func spendSince(backend: Backend) async throws {
        try await StoreContractTests.withStores(backend) { stores in
            try await stores.usage.insert([
                Self.row("k1", "m", at: Self.day.addingTimeInterval(-86_400), cost: 1),
                Self.row("k1", "m", at: Self.day, cost: 0.5), Self.row("k2", "m", at: Self.day, cost: 9),
            ])
            let today = try await stores.usage.spent(by: "k1", since: Self.day.addingTimeInterval(-60))
            #expect(today == Spend(tokens: 15, costs: [.CNY: 0.5]))
            let ever = try await stores.usage.spent(by: "k1", since: nil)
            #expect(ever == Spend(tokens: 30, costs: [.CNY: 1.5]))
        }
    }

    @Test("Days and hours are those of USAGE_TIME_ZONE", arguments: Backend.available)
    func daysFollowTheTimeZone(backend: Backend) async throws {
        try await StoreContractTests.withStores(backend) { stores in
            // 2026-06-10T20:30Z is 04:30 on June 11 in Shanghai.
            let late = ISO8601DateFormatter().date(from: "2026-06-10T20:30:00Z")!
            try await stores.usage.insert([Self.row("k", "m", at: late)])
            let shanghai = UsageCalendar(timeZone: TimeZone(identifier: "Asia/Shanghai")!, name: "Asia/Shanghai")
            let query = UsageQuery(from: late.addingTimeInterval(-86_400), to: late.addingTimeInterval(86_400), groupBy: .day)
            #expect(try await stores.usage.totals(query, calendar: shanghai).map(\.group) == ["2026-06-11"])
            #expect(try await stores.usage.totals(query, calendar: .utc).map(\.group) == ["2026-06-10"])
            var hourly = query
            hourly.groupBy = .hour
            #expect(try await stores.usage.totals(hourly, calendar: shanghai).map(\.group) == ["2026-06-11T04:00"])
        }
    }

    @Test("A day in a zone with daylight saving is cut at its own midnight on both sides of the change", arguments: Backend.available)
    func daylightSavingDays(backend: Backend) async throws {
        try await StoreContractTests.withStores(backend) { stores in
            // New York: 23:30 local on 2026-03-07 (EST, UTC-5) and on 2026-03-08 (EDT, UTC-4).
            let format = ISO8601DateFormatter()
            let beforeChange = format.date(from: "2026-03-08T04:30:00Z")!
            let afterChange = format.date(from: "2026-03-09T03:30:00Z")!
            try await stores.usage.insert([Self.row("k", "m", at: beforeChange), Self.row("k", "m", at: afterChange)])
            let newYork = UsageCalendar(timeZone: TimeZone(identifier: "America/New_York")!, name: "America/New_York")
            let query = UsageQuery(from: beforeChange.addingTimeInterval(-86_400), to: afterChange.addingTimeInterval(86_400), groupBy: .day)
            let groups = try await stores.usage.totals(query, calendar: newYork).map(\.group)
            #expect(groups == ["2026-03-07", "2026-03-08"], "\(newYork.offsetSegments(from: query.from, to: query.to))")
        }
    }

    @Test("Totals filter by key and by model", arguments: Backend.available)
    func totalsFilter(backend: Backend) async throws {
        try await StoreContractTests.withStores(backend) { stores in
            try await stores.usage.insert([Self.row("k1", "a", at: Self.day), Self.row("k2", "a", at: Self.day), Self.row(nil, "b", at: Self.day)])
            let range = (Self.day.addingTimeInterval(-60), Self.day.addingTimeInterval(60))
            let oneKey = try await stores.usage.totals(UsageQuery(from: range.0, to: range.1, groupBy: .model, clientKey: "k1"), calendar: .utc)
            #expect(oneKey.map(\.group) == ["a"] && oneKey.first?.requests == 1)
            let anonymous = try await stores.usage.totals(
                UsageQuery(from: range.0, to: range.1, groupBy: .model, clientKey: "anonymous"),
                calendar: .utc
            )
            #expect(anonymous.map(\.group) == ["b"])
            let oneModel = try await stores.usage.totals(UsageQuery(from: range.0, to: range.1, groupBy: .key, model: "a"), calendar: .utc)
            #expect(oneModel.map(\.group) == ["k1", "k2"])
        }
    }

    @Test("Recent requests come newest first, page with before, and filter by key, model and status", arguments: Backend.available)
    func recentRequestsPage(backend: Backend) async throws {
        try await StoreContractTests.withStores(backend) { stores in
            let rows = (0..<7).map {
                Self.row($0 < 4 ? "k1" : "k2", "m\($0)", at: Self.day.addingTimeInterval(Double($0)), status: $0 == 6 ? 502 : 200)
            }
            try await stores.usage.insert(rows)
            let first = try await stores.usage.recentRequests(RecentRequestsQuery(limit: 3))
            #expect(first.map(\.record.model) == ["m6", "m5", "m4"])
            let next = try await stores.usage.recentRequests(RecentRequestsQuery(limit: 3, before: first.last?.id))
            #expect(next.map(\.record.model) == ["m3", "m2", "m1"])
            #expect(try await stores.usage.recentRequests(RecentRequestsQuery(limit: 10, clientKey: "k2")).count == 3)
            #expect(try await stores.usage.recentRequests(RecentRequestsQuery(limit: 10, model: "m2")).map(\.record.model) == ["m2"])
            #expect(try await stores.usage.recentRequests(RecentRequestsQuery(limit: 10, status: .error)).map(\.record.status) == [502])
            let kept = try #require(first.first?.record)
            #expect(kept.requestID == "req-m6" && kept.durationMilliseconds == 9 && kept.streamed && kept.reasoningTokens == 3)
        }
    }

    @Test("Rows older than the retention are rolled into daily totals and deleted, the totals unchanged", arguments: Backend.available)
    func retentionKeepsTotals(backend: Backend) async throws {
        try await StoreContractTests.withStores(backend) { stores in
            let now = ISO8601DateFormatter().date(from: "2026-12-01T10:00:00Z")!
            let old = now.addingTimeInterval(-100 * 86_400)
            var rows: [UsageRecord] = []
            for index in 0..<25 {
                rows.append(
                    Self.row(
                        index.isMultiple(of: 2) ? "k1" : nil,
                        index < 10 ? "a" : "b",
                        at: old.addingTimeInterval(Double(index * 3600)),
                        cost: 0.125
                    )
                )
            }
            rows.append(Self.row("k1", "a", at: old, cost: nil))
            rows.append(Self.row("k1", "a", at: now.addingTimeInterval(-3600), cost: 1))
            try await stores.usage.insert(rows)
            let groupings: [UsageGrouping] = [.key, .model, .day]
            var before: [[UsageTotal]] = []
            for grouping in groupings { before.append(try await stores.usage.totals(from: .distantPast, to: .distantFuture, groupBy: grouping)) }
            let spentBefore = try await stores.usage.spent(by: "k1", since: nil)

            let retention = UsageRetention(store: stores.usage, days: 90, calendar: .utc, logger: Self.logger, batchSize: 7, pause: .zero)
            let moved = try await retention.runOnce(now: now)
            guard backend != .memory else { return }
            #expect(moved == 26)
            #expect(try await stores.usage.recentRequests(RecentRequestsQuery(limit: 100)).count == 1)
            for (index, grouping) in groupings.enumerated() {
                let after = try await stores.usage.totals(from: .distantPast, to: .distantFuture, groupBy: grouping)
                #expect(after.map(\.group) == before[index].map(\.group), "\(grouping)")
                #expect(after.map(\.requests) == before[index].map(\.requests), "\(grouping)")
                #expect(after.map(\.promptTokens) == before[index].map(\.promptTokens), "\(grouping)")
                #expect(after.map(\.reasoningTokens) == before[index].map(\.reasoningTokens), "\(grouping)")
                #expect(after.map(\.unpricedRequests) == before[index].map(\.unpricedRequests), "\(grouping)")
                #expect(zip(after, before[index]).allSatisfy { abs(($0.cost["CNY"] ?? 0) - ($1.cost["CNY"] ?? 0)) < 1e-9 }, "\(grouping)")
            }
            #expect(try await stores.usage.spent(by: "k1", since: nil) == spentBefore)
            // A second run finds nothing left to move.
            #expect(try await retention.runOnce(now: now) == 0)
        }
    }

    @Test("A rollup never moves rows newer than the start of the retention's first day", arguments: [Backend.sqlite])
    func retentionCutsAtADay(backend: Backend) async throws {
        try await StoreContractTests.withStores(backend) { stores in
            let now = ISO8601DateFormatter().date(from: "2026-12-01T10:00:00Z")!
            let retention = UsageRetention(store: stores.usage, days: 90, calendar: .utc, logger: Self.logger)
            let cutoff = retention.cutoff(now: now)
            #expect(cutoff == ISO8601DateFormatter().date(from: "2026-09-02T00:00:00Z"))
            try await stores.usage.insert([Self.row("k", "m", at: cutoff.addingTimeInterval(-1)), Self.row("k", "m", at: cutoff)])
            #expect(try await retention.runOnce(now: now) == 1)
            #expect(try await stores.usage.recentRequests(RecentRequestsQuery(limit: 10)).map(\.record.at) == [cutoff])
        }
    }
}
