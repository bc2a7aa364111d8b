import HTTPTypes
import Hummingbird

/// Applies a `RateLimiter` per client (its key when keys are required, else its address) and adds
/// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` to every answer; over the limit,
/// answers 429 with `Retry-After`. A step of `RouteAccessMiddleware`, after the client key.
struct RateLimitCheck {
    let limiter: any RateLimiting
    let trustedProxyHops: Int
    let metrics: GatewayMetrics?

    /// Counts the request against its client's limit: the `RateLimit-*` headers for its answer,
    /// or the 429 refusal (with them and `Retry-After`).
    func acquire(_ request: Request, context: GatewayRequestContext) async throws -> HTTPFields {
        let client =
            context.clientKey.map { "key:\($0.id)" }
            ?? "ip:" + ClientAddress.resolve(request: request, context: context, trustedHops: trustedProxyHops)
        let decision = try await limiter.acquire(client, limit: context.clientKey?.limits.rateLimit)
        let resetSeconds = String(max(1, Int((decision.resetAfter / .seconds(1)).rounded(.up))))
        var headers: HTTPFields = [
            .rateLimitLimit: String(decision.limit),
            .rateLimitRemaining: String(decision.remaining),
            .rateLimitReset: resetSeconds,
        ]
        guard decision.allowed else {
            metrics?.rateLimitedRequest()
            headers[.retryAfter] = resetSeconds
            throw GatewayError(.rateLimited, headers: headers)
        }
        return headers
    }

    /// A failure after the request was counted still tells the client where it stands.
    static func failure(_ error: any Error, telling headers: HTTPFields, context: GatewayRequestContext) -> GatewayError {
        var failure = context.failure(for: error)
        failure.headers.append(contentsOf: headers)
        return failure
    }
}

extension HTTPField.Name {
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xRequestID = HTTPField.Name("X-Request-ID")!
}
