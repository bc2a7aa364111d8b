import HTTPTypes
import Hummingbird

/// Cross-origin access for browsers, closed unless CORS_ORIGINS lists origins (or `*`).
///
/// Hummingbird's own CORS middleware allows one origin, every origin, or none; a gateway needs a
/// list. Allowed origins get the CORS headers (and preflights a 204); others get none, so the
/// browser refuses.
struct CORSMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    private let origins: Set<String>
    private let allowsAnyOrigin: Bool

    static let allowedMethods = "GET, POST, DELETE, OPTIONS"
    static let allowedHeaders = "Authorization, Content-Type, X-API-Key, X-Request-ID, Accept-Language"
    static let exposedHeaders = "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Request-ID"

    init(origins: [String]) {
        self.allowsAnyOrigin = origins.contains("*")
        self.origins = Set(origins.filter { $0 != "*" })
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers.value(of: .origin), allowsAnyOrigin || origins.contains(origin) else {
            return try await next(request, context)
        }
        let allowOrigin = allowsAnyOrigin ? "*" : origin
        if request.method == .options, request.headers.contains(.accessControlRequestMethod) {
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: allowOrigin,
                    .accessControlAllowMethods: Self.allowedMethods,
                    .accessControlAllowHeaders: Self.allowedHeaders,
                    .accessControlMaxAge: "600",
                    .vary: "Origin",
                ]
            )
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = allowOrigin
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        response.headers[.vary] = "Origin"
        return response
    }
}
