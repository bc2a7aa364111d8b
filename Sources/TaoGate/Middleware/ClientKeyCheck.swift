import Foundation
import HTTPTypes
import Hummingbird

/// Requires a client key, once keys are in use, as `Authorization: Bearer <key>` or
/// `x-api-key: <key>`, and one that has not expired; records which key it was (`key-…` or
/// `ck_…`, never the key itself). The first step of `RouteAccessMiddleware`.
///
/// Failed attempts are counted per client address: past AUTH_FAILURES_PER_MINUTE, the address
/// gets 429 for the rest of the minute, whatever key it presents, so keys cannot be guessed at
/// speed.
struct ClientKeyCheck {
    let keys: ClientKeys
    /// Failed attempts per client address; nil when not limited.
    let failures: RateLimiter?
    let trustedProxyHops: Int

    /// Whether the request may pass unchanged, known without waiting: no key is required (and
    /// none is presented where anonymous requests are allowed, since a presented key is checked).
    /// The middleware then makes no call to `authenticate`.
    func passesWithoutKey(_ request: Request) -> Bool {
        keys.knownRequirement == false && !(keys.allowsAnonymous && Self.presentedKey(in: request) != nil)
    }

    /// The context with the client's key (unchanged when no key is needed); throws the refusal.
    func authenticate(_ request: Request, context: GatewayRequestContext) async throws -> GatewayRequestContext {
        let presented = Self.presentedKey(in: request)
        var required = keys.knownRequirement
        if required == nil { required = try await keys.areRequired() }
        guard required == true || presented != nil && keys.allowsAnonymous else { return context }
        let address = failures.map { _ in ClientAddress.resolve(request: request, context: context, trustedHops: trustedProxyHops) }
        if let failures, let address, failures.isOverLimit(address) { throw Self.tooManyFailures(failures) }
        guard let presented, let identity = try await keys.identify(presented) else {
            if let failures, let address, !(try await failures.acquire(address, limit: nil)).allowed { throw Self.tooManyFailures(failures) }
            throw GatewayError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"])
        }
        if identity.limits.hasExpired(at: Date()) {
            let format = ISO8601DateFormatter()
            let when = identity.limits.expiresAt.map { format.string(from: $0) } ?? ""
            throw GatewayError(
                .keyExpired,
                message: LocalizedMessage(en: "This API key expired at \(when).", zh: "该 API 密钥已于 \(when) 过期。"),
                headers: [.wwwAuthenticate: "Bearer"]
            )
        }
        var context = context
        context.clientKey = identity
        context.record.update { $0.clientKeyID = identity.id }
        return context
    }

    static func tooManyFailures(_ failures: RateLimiter) -> GatewayError {
        GatewayError(
            .rateLimited,
            message: LocalizedMessage(
                en: "Too many requests with a wrong key from this address; try again later.",
                zh: "该地址使用错误密钥的请求过多，请稍后再试。"
            ),
            headers: [.retryAfter: String(max(1, Int((failures.window / .seconds(1)).rounded(.up))))]
        )
    }

    static func presentedKey(in request: Request) -> String? {
        if let authorization = request.headers.value(of: .authorization) {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            // The scheme in any case, compared without making a lower-cased copy (each letter of
            // "bearer", with the 0x20 bit set, is its lower-case self; no other byte becomes one).
            if parts.count == 2, parts[0].utf8.elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }) {
                return String(parts[1].trimmingWhitespace)
            }
        }
        return request.headers.value(of: .xAPIKey)
    }
}

extension HTTPField.Name {
    static let xAPIKey = HTTPField.Name("x-api-key")!
}
