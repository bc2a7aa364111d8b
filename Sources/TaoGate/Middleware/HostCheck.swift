import HTTPTypes
import Hummingbird

/// Answers only requests whose `Host` names this gateway. On a loopback listener that is
/// `localhost`, `127.0.0.1` and `[::1]` (with any port) unless ALLOWED_HOSTS says otherwise: a
/// page elsewhere whose DNS name a rebinding attack points at 127.0.0.1 sends its own name, and
/// gets 403 `host_not_allowed` instead of the gateway's answers and its upstream key's service.
struct HostCheckMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    /// Lowercased host names, without ports.
    let allowed: Set<String>

    /// The check for a listener on `listenHost` with ALLOWED_HOSTS `configured`; nil when any
    /// host is accepted (`*`, or a non-loopback listener without ALLOWED_HOSTS).
    init?(listenHost: String, configured: [String]?) {
        if let configured {
            guard !configured.contains("*") else { return nil }
            self.allowed = Set(configured.map { Self.hostName(of: $0) })
        } else {
            guard Self.isLoopback(listenHost) else { return nil }
            self.allowed = ["localhost", "127.0.0.1", "::1"]
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // HTTP/1.1 clients always send Host; a request without one comes from no browser.
        if let host = request.head.authority, !allowed.contains(Self.hostName(of: host)) {
            throw GatewayError(.hostNotAllowed)
        }
        return try await next(request, context)
    }

    /// `Example.com:3000` → `example.com`; `[::1]:3000` → `::1`.
    static func hostName(of authority: String) -> String {
        let text = authority.lowercased()
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return String(text[text.index(after: text.startIndex)..<close])
        }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            return String(text[..<colon])
        }
        return text
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
