import Foundation
import LLMClient
import MockUpstream
import Synchronization
import Testing

@testable import TaoGate

/// A clock the test moves.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}

@Suite("Budgets per period")
struct BudgetPeriodTests {
    static let shanghai = UsageCalendar(timeZone: TimeZone(identifier: "Asia/Shanghai")!, name: "Asia/Shanghai")
    static let price = ModelPrice(currency: .CNY, input: 1_000_000, output: 1_000_000)

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("A daily period is the calendar day in the configured time zone")
    func dailyPeriodIsTheLocalDay() throws {
        let period = try #require(Self.shanghai.interval(of: .daily, containing: Self.date("2026-11-30T17:30:00Z")))
        #expect(period.start == Self.date("2026-11-30T16:00:00Z"))
        #expect(period.end == Self.date("2026-12-01T16:00:00Z"))
    }

    @Test("A monthly period is the calendar month in the configured time zone")
    func monthlyPeriodIsTheLocalMonth() throws {
        let period = try #require(Self.shanghai.interval(of: .monthly, containing: Self.date("2026-11-30T17:30:00Z")))
        #expect(period.start == Self.date("2026-11-30T16:00:00Z"))
        #expect(period.end == Self.date("2026-12-31T16:00:00Z"))
    }

    @Test("A day's end belongs to the next day, and an earlier day is found again after a later one")
    func keptDayIsUsedOnlyInsideIt() throws {
        let calendar = UsageCalendar(timeZone: TimeZone(identifier: "Asia/Shanghai")!, name: "Asia/Shanghai")
        let first = try #require(calendar.interval(of: .daily, containing: Self.date("2026-11-30T17:30:00Z")))
        let atItsEnd = try #require(calendar.interval(of: .daily, containing: first.end))
        #expect(atItsEnd.start == first.end)
        let again = try #require(calendar.interval(of: .daily, containing: Self.date("2026-11-30T16:00:00Z")))
        #expect(again == first)
        let before = try #require(calendar.interval(of: .daily, containing: Self.date("2026-11-30T15:59:59Z")))
        #expect(before.end == first.start)
    }

    @Test("A daily budget used up today is refused until tomorrow, with Retry-After at the day's end, and admits again then")
    func dailyBudgetRollsOver() async throws {
        let clock = TestClock(Self.date("2026-12-01T10:00:00Z"))
        let store = MemoryUsageStore()
        let admission = KeyAdmission(usage: store, calendar: .utc, refreshInterval: .seconds(3600), now: { clock.now })
        let key = ClientKeys.Identity(id: "ck_day", limits: KeyLimits(budgets: [.tokens(100, per: .daily)]))
        let ticket = try #require(try await admission.admit(key, demand: .init(inputTokens: 10, outputTokens: 10)))
        await admission.settle(ticket, usedTokens: 150, cost: nil)
        do {
            _ = try await admission.admit(key, demand: .init(inputTokens: 10, outputTokens: 10))
            Issue.record("admitted past the budget")
        } catch let error as GatewayError {
            #expect(error.code == .budgetExceeded)
            #expect(error.headers[.retryAfter] == String(14 * 3600))
        }
        clock.set(Self.date("2026-12-02T00:00:01Z"))
        #expect(try await admission.admit(key, demand: .init(inputTokens: 10, outputTokens: 10)) != nil)
    }

    @Test("A monthly budget counts what the store holds since the month began, not before")
    func monthlyBudgetReadsItsMonth() async throws {
        let clock = TestClock(Self.date("2026-12-15T10:00:00Z"))
        let store = MemoryUsageStore()
        func row(_ at: String, tokens: Int) -> UsageRecord {
            UsageRecord(
                at: Self.date(at),
                clientKey: "ck_month",
                provider: "p",
                model: "m",
                status: 200,
                promptTokens: tokens,
                completionTokens: 0,
                latencyMilliseconds: 1,
                streamed: false,
                cancelled: false
            )
        }
        await store.insert([row("2026-11-30T23:00:00Z", tokens: 1000), row("2026-12-02T00:00:00Z", tokens: 60)])
        let admission = KeyAdmission(usage: store, calendar: .utc, now: { clock.now })
        let key = ClientKeys.Identity(id: "ck_month", limits: KeyLimits(budgets: [.tokens(100, per: .monthly)]))
        _ = try #require(try await admission.admit(key, demand: .init(inputTokens: 10, outputTokens: 10)))
        #expect(try await admission.used(of: key.limits.budgets[0], by: key.id) == 60)
    }

    @Test("A total budget never renews: its refusal has no Retry-After")
    func totalBudgetHasNoRetryAfter() async throws {
        let admission = KeyAdmission(usage: MemoryUsageStore())
        let key = ClientKeys.Identity(id: "ck_total", limits: KeyLimits(budgets: [.tokens(10)]))
        let ticket = try #require(try await admission.admit(key, demand: .init(inputTokens: 1, outputTokens: 1)))
        await admission.settle(ticket, usedTokens: 10, cost: nil)
        await #expect {
            _ = try await admission.admit(key, demand: .init(inputTokens: 1, outputTokens: 1))
        } throws: { error in
            (error as? GatewayError)?.code == .budgetExceeded && (error as? GatewayError)?.headers[.retryAfter] == nil
        }
    }

    @Test("A money budget reserves the request's most expensive cost and settles with what it cost")
    func moneyBudgetReservesAndSettles() async throws {
        let admission = KeyAdmission(usage: MemoryUsageStore())
        let key = ClientKeys.Identity(id: "ck_money", limits: KeyLimits(budgets: [.money(5, .CNY)]))
        // At 1 CNY per token each request holds 4 CNY: admitted while what is held stays under 5.
        let demand = KeyAdmission.Demand(inputTokens: 2, outputTokens: 2, price: Self.price)
        let first = try #require(try await admission.admit(key, demand: demand))
        let second = try #require(try await admission.admit(key, demand: demand))
        await #expect(throws: GatewayError.self) { _ = try await admission.admit(key, demand: demand) }
        await admission.settle(first, usedTokens: 1, cost: Money(amount: 1, currency: .CNY))
        await admission.settle(second, usedTokens: 1, cost: Money(amount: 1, currency: .CNY))
        #expect(try await admission.used(of: key.limits.budgets[0], by: key.id) == 2)
        #expect(try await admission.admit(key, demand: demand) != nil)
    }

    @Test("A money budget refuses a model without a price in its currency")
    func moneyBudgetNeedsAPrice() async throws {
        let admission = KeyAdmission(usage: MemoryUsageStore())
        let key = ClientKeys.Identity(id: "ck_money", limits: KeyLimits(budgets: [.money(5, .CNY)]))
        for price in [nil, ModelPrice(currency: .USD, input: 1, output: 1)] {
            await #expect {
                _ = try await admission.admit(key, demand: .init(inputTokens: 2, outputTokens: 2, price: price))
            } throws: { error in
                (error as? GatewayError)?.code == .modelNotAllowed
            }
        }
    }
}

/// Budgets in money held by a live gateway, on every back end.
@Suite("Money budgets")
struct MoneyBudgetTests {
    static let prices = "  currency: CNY\n  models:\n    gpt-4o: { input: 100, output: 1000 }\n"

    static func databaseURL(_ backend: StoreContractTests.Backend) async throws -> String {
        switch backend {
        case .memory: "memory:"
        case .sqlite: "sqlite:" + FileManager.default.temporaryDirectory.appendingPathComponent("taogate-\(UUID().uuidString).sqlite").path
        case .postgres: try await TestPostgres.freshDatabaseURL()
        }
    }

    /// Removes a SQLite database the test made (and its journal files); other URLs are left.
    static func removeFile(of databaseURL: String) {
        guard databaseURL.hasPrefix("sqlite:") else { return }
        let path = String(databaseURL.dropFirst("sqlite:".count))
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test("200 parallel calls spend past a money budget by at most one reservation", arguments: StoreContractTests.Backend.available)
    func parallelCallsCannotOvershootMoney(backend: StoreContractTests.Backend) async throws {
        let databaseURL = try await Self.databaseURL(backend)
        defer { Self.removeFile(of: databaseURL) }
        let settings = ["RATE_LIMIT_MAX": "0", "DATABASE_URL": databaseURL]
        try await LiveGateway.run(pricing: Self.prices, settings) { gateway, _ in
            let budget = 0.5
            let (_, secret) = try await ClientKeys(configured: [], store: gateway.stores.keys).create(
                name: "spender",
                limits: KeyLimits(budgets: [.money(budget, .CNY, per: .daily)])
            )
            let body = #"{"model":"gpt-4o","max_tokens":20,"messages":[{"role":"user","content":"spend a little money"}]}"#
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask { try await gateway.post("/v1/chat/completions", json: body, headers: [("x-api-key", secret)]).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 })
            #expect(statuses.contains(429))
            let reported = MockReply.usage(for: try #require(gateway.mock.chatRequests.first))
            let each = Double(reported.promptTokens * 100 + reported.completionTokens * 1000) / 1_000_000
            let spent = Double(gateway.mock.chatRequestCount) * each
            // One reservation: max_tokens at the output price and a quarter of the body's bytes at the input price.
            let reservation = Double(20 * 1000 + body.utf8.count / 4 * 100) / 1_000_000
            #expect(spent <= budget + reservation + each)
            #expect(spent >= budget - reservation - each)
        }
    }

    @Test("A key refused for its money budget gets 429 budget_exceeded in the dialect's shape, with Retry-After at the day's end")
    func refusalIsInTheDialectsShape() async throws {
        try await LiveGateway.run(pricing: Self.prices, ["RATE_LIMIT_MAX": "0"]) { gateway, _ in
            let (_, secret) = try await ClientKeys(configured: [], store: gateway.stores.keys).create(
                name: "small",
                limits: KeyLimits(budgets: [.money(0.000001, .CNY, per: .daily)])
            )
            let chat = #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#
            #expect(try await gateway.post("/v1/chat/completions", json: chat, headers: [("x-api-key", secret)]).status == 200)
            let openAI = try await gateway.post("/v1/chat/completions", json: chat, headers: [("x-api-key", secret)])
            #expect(openAI.status == 429)
            #expect((openAI.json["error"] as? [String: Any])?["code"] as? String == "budget_exceeded")
            let seconds = try #require(openAI.header("Retry-After").flatMap(Int.init))
            #expect(seconds > 0 && seconds <= 86_400)
            let anthropic = try await gateway.post(
                "/v1/messages",
                json: #"{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"#,
                headers: [("x-api-key", secret)]
            )
            #expect(anthropic.status == 429)
            #expect((anthropic.json["error"] as? [String: Any])?["type"] as? String == "rate_limit_error")
        }
    }
}

@Suite("Budget readings")
struct BudgetReadingTests {
    /// A memory store whose budget readings are counted; the first one after `holding` is set
    /// waits until the test lets it go.
    final class HeldReadings: UsageStore {
        let inner = MemoryUsageStore()
        let readings = Atomic<Int>(0)
        let gate: AsyncStream<Void>
        let open: AsyncStream<Void>.Continuation
        let holding = Atomic<Bool>(false)

        init() {
            (gate, open) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .unbounded)
        }

        func spent(by clientKey: String, since: Date?) async throws -> Spend {
            readings.add(1, ordering: .relaxed)
            // Only the first reading after `holding` is set waits (a second one would be counted).
            if holding.exchange(false, ordering: .relaxed) {
                for await _ in gate { break }
            }
            return try await inner.spent(by: clientKey, since: since)
        }
        func insert(_ records: [UsageRecord]) async throws { try await inner.insert(records) }
        func totals(_ query: UsageQuery, calendar: UsageCalendar) async throws -> [UsageTotal] { try await inner.totals(query, calendar: calendar) }
        func recentRequests(_ query: RecentRequestsQuery) async throws -> [UsageRow] { try await inner.recentRequests(query) }
        func rollUp(before cutoff: Date, batch: Int, calendar: UsageCalendar) async throws -> Int {
            try await inner.rollUp(before: cutoff, batch: batch, calendar: calendar)
        }
    }

    @Test("Once a reading is stale, one request reads the usage again while the key's others go on")
    func oneRequestReadsAStaleBudget() async throws {
        let store = HeldReadings()
        // The interval is the window in which the ten admissions below must run: wide enough
        // for a machine busy with other suites (300 ms once was not).
        let admission = KeyAdmission(usage: store, calendar: .utc, refreshInterval: .seconds(1))
        let key = ClientKeys.Identity(id: "ck_busy", limits: KeyLimits(budgets: [.tokens(1_000_000, per: .daily)]))
        let demand = KeyAdmission.Demand(inputTokens: 1, outputTokens: 1)
        _ = try #require(try await admission.admit(key, demand: demand))
        #expect(store.readings.load(ordering: .relaxed) == 1)

        try await Task.sleep(for: .milliseconds(1050))
        store.holding.store(true, ordering: .relaxed)
        let reading = Task { try await admission.admit(key, demand: demand) }
        while store.readings.load(ordering: .relaxed) < 2 { await Task.yield() }
        // While that reading is held, the key's other requests are admitted without one.
        for _ in 0..<10 { #expect(try await admission.admit(key, demand: demand) != nil) }
        #expect(store.readings.load(ordering: .relaxed) == 2)
        store.open.yield()
        #expect(try await reading.value != nil)
    }
}
