import HTTPTypes
import Hummingbird

/// The address a client is known by: the socket's peer, or with TRUST_PROXY the first
/// `X-Forwarded-For` entry (as express does with `trust proxy`).
enum ClientAddress {
    static func resolve(request: Request, context: GatewayRequestContext, trustProxy: Bool) -> String {
        if trustProxy, let forwarded = request.headers[.xForwardedFor],
            let first = forwarded.split(separator: ",").first?.trimmingWhitespace, !first.isEmpty, first.count <= 64
        {
            return String(first)
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}
