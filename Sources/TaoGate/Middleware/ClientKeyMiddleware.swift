import HTTPTypes
import Hummingbird

/// Requires a client key, when keys are in use, as `Authorization: Bearer <key>` or
/// `x-api-key: <key>`; records which key it was (`key-N` or `ck_…`, never the key itself).
struct ClientKeyMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let keys: ClientKeys

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard try await keys.areRequired() else { return try await next(request, context) }
        guard let presented = Self.presentedKey(in: request), let identity = try await keys.identify(presented) else {
            throw GatewayError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"])
        }
        var context = context
        context.clientKey = identity
        context.record.update { $0.clientKeyID = identity.id }
        return try await next(request, context)
    }

    static func presentedKey(in request: Request) -> String? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1].trimmingWhitespace) }
        }
        return request.headers[.xAPIKey]
    }
}

extension HTTPField.Name {
    static let xAPIKey = HTTPField.Name("x-api-key")!
}
