import Synchronization

/// Counts requests per client and says which may go ahead: in memory for one instance, or in
/// PostgreSQL for a cluster.
public protocol RateLimiting: Sendable {
    /// Counts one request of `client` against `limit` (the limiter's own when nil).
    func acquire(_ client: String, limit: Int?) async throws -> RateLimiter.Decision
}
