import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Guards the admin API: TAOGATE_ADMIN_KEY as `Authorization: Bearer <key>` or `x-api-key`,
/// compared in constant time (their SHA-256s, so not even the length shows). Wrong attempts are
/// counted per client address; past AUTH_FAILURES_PER_MINUTE the address gets 429 for the rest
/// of the minute, whatever it presents.
struct AdminAuthMiddleware: RouteStep {
    typealias Context = GatewayRequestContext

    private let adminKeyDigest: [UInt8]
    let failures: RateLimiter?
    let trustedProxyHops: Int

    init(adminKey: String, failures: RateLimiter?, trustedProxyHops: Int) {
        self.adminKeyDigest = Self.digest(adminKey)
        self.failures = failures
        self.trustedProxyHops = trustedProxyHops
    }

    func handle(_ request: Request, context: Context, next: @Sendable (Request, Context) async throws -> Response) async throws -> Response {
        let address = failures.map { _ in ClientAddress.resolve(request: request, context: context, trustedHops: trustedProxyHops) }
        if let failures, let address, failures.isOverLimit(address) { throw ClientKeyCheck.tooManyFailures(failures) }
        guard let presented = ClientKeyCheck.presentedKey(in: request), ConstantTime.equal(Self.digest(presented), adminKeyDigest) else {
            if let failures, let address, !(try await failures.acquire(address, limit: nil)).allowed {
                throw ClientKeyCheck.tooManyFailures(failures)
            }
            throw GatewayError(
                .unauthorized,
                message: LocalizedMessage(en: "The admin key is missing or wrong.", zh: "管理密钥缺失或错误。"),
                headers: [.wwwAuthenticate: "Bearer"]
            )
        }
        return try await next(request, context)
    }

    private static func digest(_ key: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(key.utf8)))
    }
}
