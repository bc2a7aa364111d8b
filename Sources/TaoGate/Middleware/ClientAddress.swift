import HTTPTypes
import Hummingbird

/// The address a client is known by: the socket's peer, or, behind `trustedHops` proxies, the
/// address that many places from the right of `X-Forwarded-For`. Each proxy appends the address
/// it saw, so entries further left are whatever the client chose to send.
enum ClientAddress {
    static func resolve(request: Request, context: GatewayRequestContext, trustedHops: Int) -> String {
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        guard trustedHops > 0 else { return peer }
        let entries = request.headers[values: .xForwardedFor]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingWhitespace }
            .filter { !$0.isEmpty }
        guard !entries.isEmpty else { return peer }
        // Fewer entries than trusted proxies: the leftmost is the furthest a trusted proxy saw.
        let entry = entries[max(0, entries.count - trustedHops)]
        guard entry.count <= 64 else { return peer }
        return String(entry)
    }
}
