import Foundation
import SQLiteNIO

/// Usage rows in a SQLite file.
struct SQLiteUsageStore: UsageStore {
    let database: SQLiteDatabase

    /// Rows per INSERT statement: one statement (one parse, one trip to SQLite's thread) carries
    /// many rows, well under SQLite's limit on bound values.
    static let rowsPerStatement = 100

    func insert(_ records: [UsageRecord]) async throws {
        guard !records.isEmpty else { return }
        try await database.transaction { unit in
            var start = records.startIndex
            while start < records.endIndex {
                let batch = records[start..<min(start + Self.rowsPerStatement, records.endIndex)]
                let placeholders = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: batch.count).joined(separator: ", ")
                try await unit.execute(
                    """
                    INSERT INTO usage_records (at, client_key, provider, model, status, prompt_tokens, completion_tokens,
                        cache_read_tokens, cache_write_tokens, reasoning_tokens, latency_ms, streamed, cancelled)
                        VALUES \(placeholders)
                    """,
                    batch.flatMap(Self.values)
                )
                start = batch.endIndex
            }
        }
    }

    private static func values(of record: UsageRecord) -> [SQLiteData] {
        [
            .float(record.at.timeIntervalSince1970), record.clientKey.map { .text($0) } ?? .null,
            record.provider.map { .text($0) } ?? .null, record.model.map { .text($0) } ?? .null,
            .integer(record.status), .integer(record.promptTokens), .integer(record.completionTokens),
            .integer(record.cacheReadTokens), .integer(record.cacheWriteTokens), .integer(record.reasoningTokens),
            .float(record.latencyMilliseconds), .integer(record.streamed ? 1 : 0), .integer(record.cancelled ? 1 : 0),
        ]
    }

    func tokensUsed(by clientKey: String) async throws -> Int {
        try await database.query(
            "SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS tokens FROM usage_records WHERE client_key = ?",
            [.text(clientKey)]
        ).first?.column("tokens")?.integer ?? 0
    }

    func totals(from: Date, to: Date, groupBy: UsageGrouping) async throws -> [UsageTotal] {
        let group =
            switch groupBy {
            case .key: "COALESCE(client_key, 'anonymous')"
            case .model: "COALESCE(model, 'unknown')"
            case .day: "strftime('%Y-%m-%d', at, 'unixepoch')"
            }
        let rows = try await database.query(
            """
            SELECT \(group) AS grp, COUNT(*) AS requests, SUM(prompt_tokens) AS prompt, SUM(completion_tokens) AS completion
            FROM usage_records WHERE at >= ? AND at < ? GROUP BY grp ORDER BY grp
            """,
            [.float(from.timeIntervalSince1970), .float(to.timeIntervalSince1970)]
        )
        return rows.map {
            UsageTotal(
                group: $0.column("grp")?.string ?? "",
                requests: $0.column("requests")?.integer ?? 0,
                promptTokens: $0.column("prompt")?.integer ?? 0,
                completionTokens: $0.column("completion")?.integer ?? 0
            )
        }
    }
}
