import Foundation
import PostgresNIO

/// Usage rows in PostgreSQL, shared by every instance.
struct PostgresUsageStore: UsageStore {
    let database: PostgresDatabase

    func insert(_ records: [UsageRecord]) async throws {
        guard !records.isEmpty else { return }
        let logger = database.logger
        try await database.transaction { connection in
            for record in records {
                try await connection.query(
                    """
                    INSERT INTO usage_records (at, client_key, provider, model, status, prompt_tokens, completion_tokens,
                        latency_ms, streamed, cancelled)
                    VALUES (\(record.at.timeIntervalSince1970), \(record.clientKey), \(record.provider), \(record.model),
                        \(record.status), \(record.promptTokens), \(record.completionTokens), \(record.latencyMilliseconds),
                        \(record.streamed), \(record.cancelled))
                    """,
                    logger: logger
                )
            }
        }
    }

    func tokensUsed(by clientKey: String) async throws -> Int {
        let rows = try await database.query(
            "SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0)::BIGINT FROM usage_records WHERE client_key = \(clientKey)"
        )
        for try await tokens in rows.decode(Int.self) { return tokens }
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
        for try await (group, requests, prompt, completion) in rows.decode((String, Int, Int, Int).self) {
            totals.append(UsageTotal(group: group, requests: requests, promptTokens: prompt, completionTokens: completion))
        }
        return totals
    }
}
