import Foundation
import PostgresNIO

/// Usage rows in PostgreSQL, shared by every instance, and their daily rollups.
struct PostgresUsageStore: UsageStore {
    let database: PostgresDatabase

    /// Rows per INSERT statement: one round trip carries many rows.
    static let rowsPerStatement = 100

    private static let columns = """
        at, client_key, provider, model, status, prompt_tokens, completion_tokens, cache_read_tokens, cache_write_tokens,
        reasoning_tokens, latency_ms, streamed, cancelled, request_id, duration_ms, cost, currency
        """

    /// SQL with its bound values, built piece by piece.
    private struct Statement {
        var sql = ""
        var bindings = PostgresBindings()

        /// Binds `value` and returns its placeholder.
        mutating func bind(_ value: some PostgresNonThrowingEncodable) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }

        var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
    }

    func insert(_ records: [UsageRecord]) async throws {
        guard !records.isEmpty else { return }
        let logger = database.logger
        var statements: [PostgresQuery] = []
        var start = records.startIndex
        while start < records.endIndex {
            let batch = records[start..<min(start + Self.rowsPerStatement, records.endIndex)]
            statements.append(try Self.insertStatement(for: batch))
            start = batch.endIndex
        }
        try await database.transaction { [statements] connection in
            for statement in statements { try await connection.query(statement, logger: logger) }
        }
    }

    private static func insertStatement(for records: ArraySlice<UsageRecord>) throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: records.count * 17)
        var rows: [String] = []
        rows.reserveCapacity(records.count)
        for record in records {
            let first = bindings.count + 1
            rows.append("(" + (first..<(first + 17)).map { "$\($0)" }.joined(separator: ", ") + ")")
            bindings.append(record.at.timeIntervalSince1970)
            try bindings.append(record.clientKey)
            try bindings.append(record.provider)
            try bindings.append(record.model)
            bindings.append(record.status)
            bindings.append(record.promptTokens)
            bindings.append(record.completionTokens)
            bindings.append(record.cacheReadTokens)
            bindings.append(record.cacheWriteTokens)
            bindings.append(record.reasoningTokens)
            bindings.append(record.latencyMilliseconds)
            bindings.append(record.streamed)
            bindings.append(record.cancelled)
            try bindings.append(record.requestID)
            try bindings.append(record.durationMilliseconds)
            try bindings.append(record.cost)
            try bindings.append(record.currency?.rawValue)
        }
        return PostgresQuery(
            unsafeSQL: "INSERT INTO usage_records (\(columns)) VALUES \(rows.joined(separator: ", "))",
            binds: bindings
        )
    }

    // MARK: - Budgets

    func spent(by clientKey: String, since: Date?) async throws -> Spend {
        let start = since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude
        var spend = Spend()
        for (table, time) in [("usage_records", "at"), ("usage_daily", "day_start")] {
            let rows = try await database.query(
                """
                SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0)::BIGINT, currency, SUM(cost)::DOUBLE PRECISION
                FROM \(unescaped: table) WHERE client_key = \(clientKey) AND \(unescaped: time) >= \(start) GROUP BY currency
                """
            )
            for (tokens, currency, cost) in try rows.decode((Int, String?, Double?).self) {
                var part = Spend(tokens: tokens)
                if let currency = currency.flatMap(Currency.init(rawValue:)), let cost { part.costs[currency] = cost }
                spend.add(part)
            }
        }
        return spend
    }

    // MARK: - Totals

    private static let sums = """
        COUNT(*)::BIGINT, COALESCE(SUM(prompt_tokens), 0)::BIGINT, COALESCE(SUM(completion_tokens), 0)::BIGINT,
        COALESCE(SUM(cache_read_tokens), 0)::BIGINT, COALESCE(SUM(cache_write_tokens), 0)::BIGINT,
        COALESCE(SUM(reasoning_tokens), 0)::BIGINT, SUM(cost)::DOUBLE PRECISION,
        SUM(CASE WHEN cost IS NULL THEN 1 ELSE 0 END)::BIGINT
        """

    func totals(_ query: UsageQuery, calendar: UsageCalendar) async throws -> [UsageTotal] {
        var parts: [UsageTotal] = []
        switch query.groupBy {
        case .key, .model:
            var statement = Statement()
            let group = query.groupBy == .key ? "COALESCE(client_key, 'anonymous')" : "COALESCE(model, 'unknown')"
            statement.sql = "SELECT \(group) AS grp, COALESCE(currency, '') AS cur, \(Self.sums) FROM usage_records "
            statement.sql += Self.rawConditions(query, into: &statement) + " GROUP BY grp, cur"
            let rows = try await database.query(statement.query)
            for row in try rows.decode((String, String, Int, Int, Int, Int, Int, Int, Double?, Int).self) {
                parts.append(Self.total(group: row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9))
            }
        case .day, .hour:
            let seconds = query.groupBy == .day ? 86_400 : 3_600
            for segment in calendar.offsetSegments(from: query.from, to: query.to) {
                var piece = query
                piece.from = segment.from
                piece.to = segment.to
                var statement = Statement()
                let offset = statement.bind(segment.offset)
                statement.sql = "SELECT FLOOR((at + \(offset)) / \(seconds))::BIGINT AS grp, COALESCE(currency, '') AS cur, \(Self.sums) "
                statement.sql += "FROM usage_records " + Self.rawConditions(piece, into: &statement) + " GROUP BY grp, cur"
                let rows = try await database.query(statement.query)
                for row in try rows.decode((Int, String, Int, Int, Int, Int, Int, Int, Double?, Int).self) {
                    let label = calendar.label(ofBucket: row.0, seconds: seconds, offset: segment.offset)
                    parts.append(Self.total(group: label, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9))
                }
            }
        }
        if query.groupBy != .hour { parts += try await rollupTotals(query) }
        return UsageTotal.merged(parts)
    }

    private static func rawConditions(_ query: UsageQuery, into statement: inout Statement) -> String {
        var conditions = [
            "at >= " + statement.bind(query.from.timeIntervalSince1970), "at < " + statement.bind(query.to.timeIntervalSince1970),
        ]
        if let key = query.clientKey {
            conditions.append(key == UsageQuery.anonymous ? "client_key IS NULL" : "client_key = " + statement.bind(key))
        }
        if let model = query.model { conditions.append("model = " + statement.bind(model)) }
        return "WHERE " + conditions.joined(separator: " AND ")
    }

    private func rollupTotals(_ query: UsageQuery) async throws -> [UsageTotal] {
        let group =
            switch query.groupBy {
            case .key: "client_key"
            case .model: "model"
            case .day, .hour: "day"
            }
        var statement = Statement()
        var conditions = [
            "day_start >= " + statement.bind(query.from.timeIntervalSince1970),
            "day_start < " + statement.bind(query.to.timeIntervalSince1970),
        ]
        if let key = query.clientKey {
            conditions.append("client_key = " + statement.bind(UsageQuery.rollupValue(key, anonymousAs: UsageQuery.anonymous)))
        }
        if let model = query.model { conditions.append("model = " + statement.bind(model)) }
        statement.sql = """
            SELECT \(group), currency, SUM(requests)::BIGINT, SUM(prompt_tokens)::BIGINT, SUM(completion_tokens)::BIGINT,
                SUM(cache_read_tokens)::BIGINT, SUM(cache_write_tokens)::BIGINT, SUM(reasoning_tokens)::BIGINT,
                SUM(cost)::DOUBLE PRECISION, SUM(unpriced)::BIGINT
            FROM usage_daily WHERE \(conditions.joined(separator: " AND ")) GROUP BY \(group), currency
            """
        let anonymous = query.groupBy == .key ? UsageQuery.anonymous : UsageQuery.unknownModel
        let rows = try await database.query(statement.query)
        return try rows.decode((String, String, Int, Int, Int, Int, Int, Int, Double?, Int).self).map { row in
            Self.total(
                group: UsageQuery.groupName(ofRollup: row.0, anonymousAs: anonymous),
                row.1,
                row.2,
                row.3,
                row.4,
                row.5,
                row.6,
                row.7,
                row.8,
                row.9
            )
        }
    }

    private static func total(
        group: String,
        _ currency: String,
        _ requests: Int,
        _ prompt: Int,
        _ completion: Int,
        _ cacheRead: Int,
        _ cacheWrite: Int,
        _ reasoning: Int,
        _ cost: Double?,
        _ unpriced: Int
    ) -> UsageTotal {
        UsageTotal(
            group: group,
            currency: currency,
            requests: requests,
            prompt: prompt,
            completion: completion,
            cacheRead: cacheRead,
            cacheWrite: cacheWrite,
            reasoning: reasoning,
            cost: cost,
            unpriced: unpriced
        )
    }

    // MARK: - Recent requests

    func recentRequests(_ query: RecentRequestsQuery) async throws -> [UsageRow] {
        var statement = Statement()
        var conditions: [String] = []
        if let before = query.before { conditions.append("id < " + statement.bind(Int(before))) }
        if let key = query.clientKey {
            conditions.append(key == UsageQuery.anonymous ? "client_key IS NULL" : "client_key = " + statement.bind(key))
        }
        if let model = query.model { conditions.append("model = " + statement.bind(model)) }
        switch query.status {
        case .success: conditions.append("status < 400")
        case .error: conditions.append("status >= 400")
        case nil: break
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        statement.sql = "SELECT id, \(Self.columns) FROM usage_records \(filter) ORDER BY id DESC LIMIT " + statement.bind(query.limit)
        return try Self.rows(try await database.query(statement.query))
    }

    private static func rows(_ rows: PostgresRows) throws -> [UsageRow] {
        var result: [UsageRow] = []
        for row in rows.rows {
            let (id, at, key, provider, model, status, prompt, completion, cacheRead, cacheWrite, reasoning) = try row.decode(
                (Int, Double, String?, String?, String?, Int, Int, Int, Int, Int, Int).self
            )
            var record = UsageRecord(
                at: Date(timeIntervalSince1970: at),
                clientKey: key,
                provider: provider,
                model: model,
                status: status,
                promptTokens: prompt,
                completionTokens: completion,
                cacheReadTokens: cacheRead,
                cacheWriteTokens: cacheWrite,
                reasoningTokens: reasoning,
                latencyMilliseconds: 0,
                streamed: false,
                cancelled: false
            )
            let columns = row.makeRandomAccess()
            record.latencyMilliseconds = try columns[11].decode(Double.self)
            record.streamed = try columns[12].decode(Bool.self)
            record.cancelled = try columns[13].decode(Bool.self)
            record.requestID = try columns[14].decode(String?.self)
            record.durationMilliseconds = try columns[15].decode(Double?.self)
            record.cost = try columns[16].decode(Double?.self)
            record.currency = try columns[17].decode(String?.self).flatMap(Currency.init(rawValue:))
            result.append(UsageRow(id: Int64(id), record: record))
        }
        return result
    }

    // MARK: - Retention

    /// The advisory lock one instance holds while it rolls a batch up.
    private static let retentionLock = 727_275

    func rollUp(before cutoff: Date, batch: Int, calendar: UsageCalendar) async throws -> Int {
        let logger = database.logger
        let cutoffSeconds = cutoff.timeIntervalSince1970
        return try await database.transaction { connection in
            // Another instance is at it: it will move these rows.
            let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(\(Self.retentionLock))", logger: logger)
            var acquired = false
            for try await value in locked.decode(Bool.self) { acquired = value }
            guard acquired else { return 0 }
            let read = try await connection.query(
                "SELECT id, \(unescaped: Self.columns) FROM usage_records WHERE at < \(cutoffSeconds) ORDER BY id LIMIT \(batch)",
                logger: logger
            )
            var collected: [PostgresRow] = []
            for try await row in read { collected.append(row) }
            let rows = try Self.rows(PostgresRows(rows: collected))
            guard let last = rows.last?.id else { return 0 }
            let rollup = DailyRollup(rows.map(\.record), calendar: calendar)
            for (group, sums) in rollup.groups {
                let dayStart = group.dayStart.timeIntervalSince1970
                try await connection.query(
                    """
                    INSERT INTO usage_daily (day, day_start, client_key, model, currency, requests, prompt_tokens, completion_tokens,
                        cache_read_tokens, cache_write_tokens, reasoning_tokens, cost, unpriced)
                    VALUES (\(group.day), \(dayStart), \(group.clientKey), \(group.model), \(group.currency), \(sums.requests),
                        \(sums.promptTokens), \(sums.completionTokens), \(sums.cacheReadTokens), \(sums.cacheWriteTokens),
                        \(sums.reasoningTokens), \(sums.cost), \(sums.unpriced))
                    ON CONFLICT (day, client_key, model, currency) DO UPDATE SET
                        requests = usage_daily.requests + EXCLUDED.requests,
                        prompt_tokens = usage_daily.prompt_tokens + EXCLUDED.prompt_tokens,
                        completion_tokens = usage_daily.completion_tokens + EXCLUDED.completion_tokens,
                        cache_read_tokens = usage_daily.cache_read_tokens + EXCLUDED.cache_read_tokens,
                        cache_write_tokens = usage_daily.cache_write_tokens + EXCLUDED.cache_write_tokens,
                        reasoning_tokens = usage_daily.reasoning_tokens + EXCLUDED.reasoning_tokens,
                        cost = CASE WHEN usage_daily.cost IS NULL AND EXCLUDED.cost IS NULL THEN NULL
                            ELSE COALESCE(usage_daily.cost, 0) + COALESCE(EXCLUDED.cost, 0) END,
                        unpriced = usage_daily.unpriced + EXCLUDED.unpriced
                    """,
                    logger: logger
                )
            }
            // Exactly the rows read: the first `batch` older than the cutoff, in id order.
            try await connection.query("DELETE FROM usage_records WHERE id <= \(Int(last)) AND at < \(cutoffSeconds)", logger: logger)
            return rows.count
        }
    }
}
