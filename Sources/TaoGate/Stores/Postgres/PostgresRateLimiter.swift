import Foundation
import PostgresNIO

/// One rate limit for a whole cluster: each request counts atomically in PostgreSQL (an upsert
/// that row-locks the client's counter), so N instances enforce the limit exactly, not N times it.
/// Windows are timed by the database's clock, so instances need not agree on theirs.
struct PostgresRateLimiter: RateLimiting {
    let database: PostgresDatabase
    let limit: Int
    let window: Duration

    func acquire(_ client: String, limit: Int?) async throws -> RateLimiter.Decision {
        let limit = limit ?? self.limit
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        let rows = try await database.query(
            """
            WITH now AS (SELECT extract(epoch FROM clock_timestamp())::DOUBLE PRECISION AS t)
            INSERT INTO rate_limits AS r (client, count, reset_at) SELECT \(client), 1, now.t + \(seconds) FROM now
            ON CONFLICT (client) DO UPDATE SET
                count = CASE WHEN r.reset_at <= (SELECT t FROM now) THEN 1 ELSE r.count + 1 END,
                reset_at = CASE WHEN r.reset_at <= (SELECT t FROM now) THEN (SELECT t FROM now) + \(seconds) ELSE r.reset_at END
            RETURNING r.count, r.reset_at - (SELECT t FROM now)
            """
        )
        for (count, remainingSeconds) in try rows.decode((Int, Double).self) {
            if count == 1, Int.random(in: 0..<1000) == 0 { await sweep() }
            return RateLimiter.Decision(
                allowed: count <= limit,
                limit: limit,
                remaining: max(0, limit - count),
                resetAfter: .milliseconds(Int64(max(0, remainingSeconds) * 1000))
            )
        }
        throw DatabaseUnavailable(reason: "rate limit counter returned no row")
    }

    /// Drops counters whose windows ended long ago, now and then.
    private func sweep() async {
        _ = try? await database.query(
            "DELETE FROM rate_limits WHERE reset_at < extract(epoch FROM clock_timestamp()) - 3600"
        )
    }
}
