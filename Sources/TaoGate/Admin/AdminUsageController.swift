import Foundation
import HTTPTypes
import Hummingbird
import LLMClient
import NIOCore

/// Usage for operators: `GET /admin/usage` (totals by key, model, day or hour, with cost; JSON,
/// or CSV with `Accept: text/csv`) and `GET /admin/requests` (recent upstream calls, no content,
/// newest first, paged with `before`). Both are aggregated or filtered by the database.
struct AdminUsageController {
    let usage: any UsageStore
    let calendar: UsageCalendar

    func addRoutes(to group: GatewayRouteGroup) {
        group.get("usage", use: totals)
        group.get("requests", use: requests)
    }

    /// `GET /api/usage`, the admin route of before: the same totals, by key unless asked otherwise.
    func addLegacyRoute(to group: GatewayRouteGroup) {
        group.get("usage", use: legacyTotals)
    }

    @Sendable func legacyTotals(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let query = try Self.usageQuery(request.uri.queryParameters, defaultGrouping: .key)
        let totals = try await usage.totals(query, calendar: calendar)
        let body: JSONValue = .object([
            "success": .bool(true),
            "from": .string(AdminKeysController.timestamp(query.from)),
            "to": .string(AdminKeysController.timestamp(query.to)),
            "group_by": .string(query.groupBy.rawValue),
            "totals": try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(totals)),
        ])
        return try AdminKeysController.json(body)
    }

    /// The longest range one query may cover.
    static let maximumRange: TimeInterval = 3660 * 86_400

    @Sendable func totals(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let query = try Self.usageQuery(request.uri.queryParameters, defaultGrouping: .day)
        let totals = try await usage.totals(query, calendar: calendar)
        if Self.wantsCSV(request) { return Self.csv(totals, grouping: query.groupBy) }
        var overall = UsageTotal(group: "total")
        for total in totals { overall.add(total) }
        let encoder = JSONEncoder()
        let body: JSONValue = .object([
            "from": .string(AdminKeysController.timestamp(query.from)),
            "to": .string(AdminKeysController.timestamp(query.to)),
            "group_by": .string(query.groupBy.rawValue),
            "time_zone": .string(calendar.name),
            "totals": try JSONDecoder().decode(JSONValue.self, from: try encoder.encode(totals)),
            "total": try JSONDecoder().decode(JSONValue.self, from: try encoder.encode(overall)),
        ])
        return try AdminKeysController.json(body)
    }

    /// The totals query of `from`, `to`, `group_by`, `key` and `model` (ISO 8601 dates or
    /// times; the last 30 days by default, up to the next whole second: the answer names its
    /// range in whole seconds, and a range asked for again with those names counts the same rows).
    static func usageQuery(_ parameters: Parameters, defaultGrouping: UsageGrouping) throws -> UsageQuery {
        let to = try date(parameters["to"].map(String.init), name: "to") ?? Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.up))
        let from = try date(parameters["from"].map(String.init), name: "from") ?? to.addingTimeInterval(-30 * 86_400)
        guard from < to, to.timeIntervalSince(from) <= maximumRange else {
            throw GatewayError.invalidRequest(en: "from must be before to, at most ten years apart", zh: "from 必须早于 to，且相差不超过十年")
        }
        let grouping = parameters["group_by"].map(String.init) ?? defaultGrouping.rawValue
        guard let groupBy = UsageGrouping(rawValue: grouping) else {
            throw GatewayError.invalidRequest(en: "group_by must be key, model, day or hour", zh: "group_by 必须是 key、model、day 或 hour")
        }
        return UsageQuery(
            from: from,
            to: to,
            groupBy: groupBy,
            clientKey: try filter(parameters["key"].map(String.init), name: "key"),
            model: try filter(parameters["model"].map(String.init), name: "model")
        )
    }

    @Sendable func requests(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let limit = try Self.integer(parameters["limit"].map(String.init), name: "limit", in: 1...500) ?? 50
        let before = try Self.integer(parameters["before"].map(String.init), name: "before", in: 1...Int.max).map(Int64.init)
        var status: RecentRequestsQuery.StatusFilter?
        if let text = parameters["status"].map(String.init), !text.isEmpty {
            guard let filter = RecentRequestsQuery.StatusFilter(rawValue: text) else {
                throw GatewayError.invalidRequest(en: "status must be success or error", zh: "status 必须是 success 或 error")
            }
            status = filter
        }
        // One row more than the page: whether there is an older page.
        let query = RecentRequestsQuery(
            limit: limit + 1,
            before: before,
            clientKey: try Self.filter(parameters["key"].map(String.init), name: "key"),
            model: try Self.filter(parameters["model"].map(String.init), name: "model"),
            status: status
        )
        let found = try await usage.recentRequests(query)
        let rows = found.prefix(limit)
        let body: JSONValue = .object([
            "requests": .array(rows.map(Self.json)),
            "next_before": found.count > limit ? rows.last.map { .integer(Int($0.id)) } ?? .null : .null,
        ])
        return try AdminKeysController.json(body)
    }

    private static func json(_ row: UsageRow) -> JSONValue {
        let record = row.record
        return .object([
            "id": .integer(Int(row.id)),
            "at": .string(AdminKeysController.timestamp(record.at)),
            "request_id": record.requestID.map(JSONValue.string) ?? .null,
            "key": record.clientKey.map(JSONValue.string) ?? .null,
            "provider": record.provider.map(JSONValue.string) ?? .null,
            "model": record.model.map(JSONValue.string) ?? .null,
            "status": .integer(record.status),
            "duration_ms": record.durationMilliseconds.map(JSONValue.number) ?? .null,
            "latency_ms": .number(record.latencyMilliseconds),
            "prompt_tokens": .integer(record.promptTokens),
            "completion_tokens": .integer(record.completionTokens),
            "cache_read_tokens": .integer(record.cacheReadTokens),
            "cache_write_tokens": .integer(record.cacheWriteTokens),
            "reasoning_tokens": .integer(record.reasoningTokens),
            "cost": record.cost.map { .number(Money.shown($0)) } ?? .null,
            "currency": record.currency.map { .string($0.rawValue) } ?? .null,
            "streamed": .bool(record.streamed),
            "cancelled": .bool(record.cancelled),
        ])
    }

    // MARK: - CSV

    static func wantsCSV(_ request: Request) -> Bool {
        request.headers[.accept]?.lowercased().contains("text/csv") == true
    }

    /// One line per group; a cost column per currency that appears.
    static func csv(_ totals: [UsageTotal], grouping: UsageGrouping) -> Response {
        let currencies = Set(totals.flatMap(\.cost.keys)).sorted()
        var lines = [
            ([grouping.rawValue, "requests", "prompt_tokens", "completion_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens"]
                + currencies.map { "cost_\($0)" } + ["unpriced_requests"]).joined(separator: ",")
        ]
        for total in totals {
            let counts = [
                total.requests, total.promptTokens, total.completionTokens, total.cacheReadTokens, total.cacheWriteTokens, total.reasoningTokens,
            ]
            let costs = currencies.map { total.cost[$0].map(csvNumber) ?? "" }
            lines.append(([csvField(total.group)] + counts.map(String.init) + costs + [String(total.unpricedRequests)]).joined(separator: ","))
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"taogate-usage-\(grouping.rawValue).csv\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: lines.joined(separator: "\r\n") + "\r\n"))
        )
    }

    /// An amount in plain decimal notation (never `1.28e-05`), to ten decimal places at most.
    static func csvNumber(_ amount: Double) -> String {
        var text = String(format: "%.10f", Money.shown(amount))
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A field quoted when it needs it, and never read as a formula by a spreadsheet.
    static func csvField(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
        guard text.contains(where: { ",\"\r\n".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: - Parameters

    /// An ISO 8601 date or date-time (`2026-11-26` or `2026-11-26T10:00:00Z`).
    static func date(_ text: String?, name: String) throws -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = KeyChanges.date(text) else {
            throw GatewayError.invalidRequest(en: "\(name) must be an ISO 8601 date or time", zh: "\(name) 必须是 ISO 8601 日期或时间")
        }
        return date
    }

    private static func integer(_ text: String?, name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw GatewayError.invalidRequest(
                en: "\(name) must be a whole number from \(range.lowerBound)",
                zh: "\(name) 必须是不小于 \(range.lowerBound) 的整数"
            )
        }
        return value
    }

    private static func filter(_ text: String?, name: String) throws -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard text.utf8.count <= 256, !text.hasControlCharacters else {
            throw GatewayError.invalidRequest(en: "\(name) is not a valid filter", zh: "\(name) 不是有效的筛选条件")
        }
        return text
    }
}
