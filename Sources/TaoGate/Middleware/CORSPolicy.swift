import HTTPTypes
import Hummingbird

/// Cross-origin access for browsers, closed unless CORS_ORIGINS lists origins (or `*`).
///
/// Hummingbird's own CORS middleware allows one origin, every origin, or none; a gateway needs a
/// list. Allowed origins get the CORS headers (and preflights a 204); others get none, so the
/// browser refuses. A step of `EveryRouteMiddleware`.
struct CORSPolicy {
    private let origins: Set<String>
    private let allowsAnyOrigin: Bool

    static let allowedMethods = "GET, POST, DELETE, OPTIONS"
    static let allowedHeaders = "Authorization, Content-Type, X-API-Key, X-Request-ID, Accept-Language"
    static let exposedHeaders = "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Request-ID"

    /// The policy for CORS_ORIGINS; nil when it lists none (no answer gets CORS headers).
    init?(origins: [String]) {
        guard !origins.isEmpty else { return nil }
        self.allowsAnyOrigin = origins.contains("*")
        self.origins = Set(origins.filter { $0 != "*" })
    }

    /// The `Access-Control-Allow-Origin` for the request's origin; nil for no origin, or one not allowed.
    func allowedOrigin(for request: Request) -> String? {
        guard let origin = request.headers.value(of: .origin), allowsAnyOrigin || origins.contains(origin) else { return nil }
        return allowsAnyOrigin ? "*" : origin
    }

    /// The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`); nil for any
    /// other request, which goes on to its route.
    func preflightAnswer(to request: Request, allowing allowOrigin: String) -> Response? {
        guard request.method == .options, request.headers.contains(.accessControlRequestMethod) else { return nil }
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

    /// The CORS headers of an answer to an allowed origin.
    static func allow(_ allowOrigin: String, in response: inout Response) {
        response.headers[.accessControlAllowOrigin] = allowOrigin
        response.headers[.accessControlExposeHeaders] = exposedHeaders
        response.headers[.vary] = "Origin"
    }
}
