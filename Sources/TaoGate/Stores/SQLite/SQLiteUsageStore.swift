import Foundation
import SQLiteNIO

/// Usage rows in a SQLite file, and their daily rollups.
struct SQLiteUsageStore: UsageStore {
    let database: SQLiteDatabase

    /// Rows per INSERT statement: one statement (one parse, one trip to SQLite's thread) carries
    /// many rows, well under SQLite's limit on bound values.
    static let rowsPerStatement = 100

    private static let columns = """
        at, client_key, provider, model, status, prompt_tokens, completion_tokens, cache_read_tokens, cache_write_tokens,
        reasoning_tokens, latency_ms, streamed, cancelled, request_id, duration_ms, cost, currency
        """

    func insert(_ records: [UsageRecord]) async throws {
        guard !records.isEmpty else { return }
        try await database.transaction { unit in
            var start = records.startIndex
            while start < records.endIndex {
                let batch = records[start..<min(start + Self.rowsPerStatement, records.endIndex)]
                let row = "(" + Array(repeating: "?", count: 17).joined(separator: ", ") + ")"
                let placeholders = Array(repeating: row, count: batch.count).joined(separator: ", ")
                try await unit.execute("INSERT INTO usage_records (\(Self.columns)) VALUES \(placeholders)", batch.flatMap(Self.values))
                start = batch.endIndex
            }
        }
    }

    private static func values(of record: UsageRecord) -> [SQLiteData] {
        [
            .float(record.at.timeIntervalSince1970), text(record.clientKey), text(record.provider), text(record.model),
            .integer(record.status), .integer(record.promptTokens), .integer(record.completionTokens),
            .integer(record.cacheReadTokens), .integer(record.cacheWriteTokens), .integer(record.reasoningTokens),
            .float(record.latencyMilliseconds), .integer(record.streamed ? 1 : 0), .integer(record.cancelled ? 1 : 0),
            text(record.requestID), record.durationMilliseconds.map { .float($0) } ?? .null,
            record.cost.map { .float($0) } ?? .null, text(record.currency?.rawValue),
        ]
    }

    private static func text(_ value: String?) -> SQLiteData {
        value.map { .text($0) } ?? .null
    }

    // MARK: - Budgets

    func spent(by clientKey: String, since: Date?) async throws -> Spend {
        let start = since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude
        var spend = Spend()
        for (table, time) in [("usage_records", "at"), ("usage_daily", "day_start")] {
            let rows = try await database.query(
                """
                SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS tokens, currency AS cur, SUM(cost) AS cost
                FROM \(table) WHERE client_key = ? AND \(time) >= ? GROUP BY cur
                """,
                [.text(clientKey), .float(start)]
            )
            for row in rows {
                var part = Spend(tokens: row.column("tokens")?.integer ?? 0)
                if let currency = row.column("cur")?.string.flatMap(Currency.init(rawValue:)), let cost = row.column("cost")?.double {
                    part.costs[currency] = cost
                }
                spend.add(part)
            }
        }
        return spend
    }

    // MARK: - Totals

    func totals(_ query: UsageQuery, calendar: UsageCalendar) async throws -> [UsageTotal] {
        var parts: [UsageTotal] = []
        switch query.groupBy {
        case .key, .model:
            let group = query.groupBy == .key ? "COALESCE(client_key, 'anonymous')" : "COALESCE(model, 'unknown')"
            parts += try await rawTotals(query, group: group, binds: [], label: { $0.column("grp")?.string ?? "" })
        case .day, .hour:
            let seconds = query.groupBy == .day ? 86_400 : 3_600
            for segment in calendar.offsetSegments(from: query.from, to: query.to) {
                var piece = query
                piece.from = segment.from
                piece.to = segment.to
                parts += try await rawTotals(piece, group: "CAST((at + ?) / \(seconds) AS INTEGER)", binds: [.integer(segment.offset)]) {
                    calendar.label(ofBucket: $0.column("grp")?.integer ?? 0, seconds: seconds, offset: segment.offset)
                }
            }
        }
        if query.groupBy != .hour { parts += try await rollupTotals(query) }
        return UsageTotal.merged(parts)
    }

    private func rawTotals(
        _ query: UsageQuery,
        group: String,
        binds groupBinds: [SQLiteData],
        label: (SQLiteRow) -> String
    ) async throws -> [UsageTotal] {
        var conditions = ["at >= ?", "at < ?"]
        var binds = groupBinds + [.float(query.from.timeIntervalSince1970), .float(query.to.timeIntervalSince1970)]
        if let key = query.clientKey {
            if key == UsageQuery.anonymous {
                conditions.append("client_key IS NULL")
            } else {
                conditions.append("client_key = ?")
                binds.append(.text(key))
            }
        }
        if let model = query.model {
            conditions.append("model = ?")
            binds.append(.text(model))
        }
        let rows = try await database.query(
            """
            SELECT \(group) AS grp, COALESCE(currency, '') AS cur, COUNT(*) AS requests, SUM(prompt_tokens) AS prompt,
                SUM(completion_tokens) AS completion, SUM(cache_read_tokens) AS cache_read, SUM(cache_write_tokens) AS cache_write,
                SUM(reasoning_tokens) AS reasoning, SUM(cost) AS cost, SUM(CASE WHEN cost IS NULL THEN 1 ELSE 0 END) AS unpriced
            FROM usage_records WHERE \(conditions.joined(separator: " AND ")) GROUP BY grp, cur
            """,
            binds
        )
        return rows.map { Self.total($0, group: label($0)) }
    }

    private func rollupTotals(_ query: UsageQuery) async throws -> [UsageTotal] {
        let group =
            switch query.groupBy {
            case .key: "client_key"
            case .model: "model"
            case .day, .hour: "day"
            }
        var conditions = ["day_start >= ?", "day_start < ?"]
        var binds: [SQLiteData] = [.float(query.from.timeIntervalSince1970), .float(query.to.timeIntervalSince1970)]
        if let key = query.clientKey {
            conditions.append("client_key = ?")
            binds.append(.text(UsageQuery.rollupValue(key, anonymousAs: UsageQuery.anonymous)))
        }
        if let model = query.model {
            conditions.append("model = ?")
            binds.append(.text(model))
        }
        let rows = try await database.query(
            """
            SELECT \(group) AS grp, currency AS cur, SUM(requests) AS requests, SUM(prompt_tokens) AS prompt,
                SUM(completion_tokens) AS completion, SUM(cache_read_tokens) AS cache_read, SUM(cache_write_tokens) AS cache_write,
                SUM(reasoning_tokens) AS reasoning, SUM(cost) AS cost, SUM(unpriced) AS unpriced
            FROM usage_daily WHERE \(conditions.joined(separator: " AND ")) GROUP BY grp, cur
            """,
            binds
        )
        let anonymous = query.groupBy == .key ? UsageQuery.anonymous : UsageQuery.unknownModel
        return rows.map { Self.total($0, group: UsageQuery.groupName(ofRollup: $0.column("grp")?.string ?? "", anonymousAs: anonymous)) }
    }

    private static func total(_ row: SQLiteRow, group: String) -> UsageTotal {
        UsageTotal(
            group: group,
            currency: row.column("cur")?.string ?? "",
            requests: row.column("requests")?.integer ?? 0,
            prompt: row.column("prompt")?.integer ?? 0,
            completion: row.column("completion")?.integer ?? 0,
            cacheRead: row.column("cache_read")?.integer ?? 0,
            cacheWrite: row.column("cache_write")?.integer ?? 0,
            reasoning: row.column("reasoning")?.integer ?? 0,
            cost: row.column("cost")?.double,
            unpriced: row.column("unpriced")?.integer ?? 0
        )
    }

    // MARK: - Recent requests

    func recentRequests(_ query: RecentRequestsQuery) async throws -> [UsageRow] {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        if let before = query.before {
            conditions.append("id < ?")
            binds.append(.integer(Int(before)))
        }
        if let key = query.clientKey {
            if key == UsageQuery.anonymous {
                conditions.append("client_key IS NULL")
            } else {
                conditions.append("client_key = ?")
                binds.append(.text(key))
            }
        }
        if let model = query.model {
            conditions.append("model = ?")
            binds.append(.text(model))
        }
        switch query.status {
        case .success: conditions.append("status < 400")
        case .error: conditions.append("status >= 400")
        case nil: break
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try await database.query(
            "SELECT id, \(Self.columns) FROM usage_records \(filter) ORDER BY id DESC LIMIT ?",
            binds + [.integer(query.limit)]
        )
        return rows.map { UsageRow(id: Int64($0.column("id")?.integer ?? 0), record: Self.record($0)) }
    }

    private static func record(_ row: SQLiteRow) -> UsageRecord {
        UsageRecord(
            at: Date(timeIntervalSince1970: row.column("at")?.double ?? 0),
            clientKey: row.column("client_key")?.string,
            provider: row.column("provider")?.string,
            model: row.column("model")?.string,
            status: row.column("status")?.integer ?? 0,
            promptTokens: row.column("prompt_tokens")?.integer ?? 0,
            completionTokens: row.column("completion_tokens")?.integer ?? 0,
            cacheReadTokens: row.column("cache_read_tokens")?.integer ?? 0,
            cacheWriteTokens: row.column("cache_write_tokens")?.integer ?? 0,
            reasoningTokens: row.column("reasoning_tokens")?.integer ?? 0,
            latencyMilliseconds: row.column("latency_ms")?.double ?? 0,
            streamed: row.column("streamed")?.integer == 1,
            cancelled: row.column("cancelled")?.integer == 1,
            requestID: row.column("request_id")?.string,
            durationMilliseconds: row.column("duration_ms")?.double,
            cost: row.column("cost")?.double,
            currency: row.column("currency")?.string.flatMap(Currency.init(rawValue:))
        )
    }

    // MARK: - Retention

    func rollUp(before cutoff: Date, batch: Int, calendar: UsageCalendar) async throws -> Int {
        try await database.transaction { unit in
            let rows = try await unit.query(
                "SELECT id, \(Self.columns) FROM usage_records WHERE at < ? ORDER BY id LIMIT ?",
                [.float(cutoff.timeIntervalSince1970), .integer(batch)]
            )
            guard let last = rows.last?.column("id")?.integer else { return 0 }
            let rollup = DailyRollup(rows.map(Self.record), calendar: calendar)
            for (group, sums) in rollup.groups {
                try await unit.execute(
                    """
                    INSERT INTO usage_daily (day, day_start, client_key, model, currency, requests, prompt_tokens, completion_tokens,
                        cache_read_tokens, cache_write_tokens, reasoning_tokens, cost, unpriced)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (day, client_key, model, currency) DO UPDATE SET
                        requests = requests + excluded.requests, prompt_tokens = prompt_tokens + excluded.prompt_tokens,
                        completion_tokens = completion_tokens + excluded.completion_tokens,
                        cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
                        cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
                        reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
                        cost = CASE WHEN cost IS NULL AND excluded.cost IS NULL THEN NULL
                            ELSE COALESCE(cost, 0) + COALESCE(excluded.cost, 0) END,
                        unpriced = unpriced + excluded.unpriced
                    """,
                    [
                        .text(group.day), .float(group.dayStart.timeIntervalSince1970), .text(group.clientKey), .text(group.model),
                        .text(group.currency), .integer(sums.requests), .integer(sums.promptTokens), .integer(sums.completionTokens),
                        .integer(sums.cacheReadTokens), .integer(sums.cacheWriteTokens), .integer(sums.reasoningTokens),
                        sums.cost.map { .float($0) } ?? .null, .integer(sums.unpriced),
                    ]
                )
            }
            // Exactly the rows read: the first `batch` older than the cutoff, in id order.
            try await unit.execute("DELETE FROM usage_records WHERE id <= ? AND at < ?", [.integer(last), .float(cutoff.timeIntervalSince1970)])
            return rows.count
        }
    }
}
