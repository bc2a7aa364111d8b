import Foundation
import PostgresNIO

/// Usage rows in PostgreSQL, shared by every instance.
struct PostgresUsageStore: UsageStore {
    let database: PostgresDatabase

    /// Rows per INSERT statement: one round trip carries many rows.
    static let rowsPerStatement = 100

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
        var bindings = PostgresBindings(capacity: records.count * 13)
        var rows: [String] = []
        rows.reserveCapacity(records.count)
        for record in records {
            let first = bindings.count + 1
            rows.append("(" + (first..<(first + 13)).map { "$\($0)" }.joined(separator: ", ") + ")")
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
        }
        return PostgresQuery(
            unsafeSQL: """
                INSERT INTO usage_records (at, client_key, provider, model, status, prompt_tokens, completion_tokens,
                    cache_read_tokens, cache_write_tokens, reasoning_tokens, latency_ms, streamed, cancelled) VALUES \(rows.joined(separator: ", "))
                """,
            binds: bindings
        )
    }

    func tokensUsed(by clientKey: String) async throws -> Int {
        let rows = try await database.query(
            "SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0)::BIGINT FROM usage_records WHERE client_key = \(clientKey)"
        )
        for tokens in try rows.decode(Int.self) { return tokens }
        return 0
    }

    func totals(from: Date, to: Date, groupBy: UsageGrouping) async throws -> [UsageTotal] {
        let group =
            switch groupBy {
            case .key: "COALESCE(client_key, 'anonymous')"
            case .model: "COALESCE(model, 'unknown')"
            case .day: "to_char(to_timestamp(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
            }
        let rows = try await database.query(
            """
            SELECT \(unescaped: group) AS grp, COUNT(*)::BIGINT, SUM(prompt_tokens)::BIGINT, SUM(completion_tokens)::BIGINT
            FROM usage_records WHERE at >= \(from.timeIntervalSince1970) AND at < \(to.timeIntervalSince1970)
            GROUP BY grp ORDER BY grp
            """
        )
        var totals: [UsageTotal] = []
        for (group, requests, prompt, completion) in try rows.decode((String, Int, Int, Int).self) {
            totals.append(UsageTotal(group: group, requests: requests, promptTokens: prompt, completionTokens: completion))
        }
        return totals
    }
}
