import HTTPTypes
import Hummingbird

/// Answers only requests whose `Host` names this gateway. On a loopback listener that is
/// `localhost`, `127.0.0.1` and `[::1]` (with any port) unless ALLOWED_HOSTS says otherwise: a
/// page elsewhere whose DNS name a rebinding attack points at 127.0.0.1 sends its own name, and
/// gets 403 `host_not_allowed` instead of the gateway's answers and its upstream key's service.
/// A step of `EveryRouteMiddleware`.
struct HostCheck {
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

    /// Throws `host_not_allowed` for a Host this gateway does not go by.
    func check(_ request: Request) throws {
        // HTTP/1.1 clients always send Host; a request without one comes from no browser.
        if let host = request.head.authority, !allowed.contains(Self.hostName(of: host)) {
            throw GatewayError(.hostNotAllowed)
        }
    }

    /// `Example.com:3000` → `example.com`; `[::1]:3000` → `::1`; `::1` stays. Read as bytes: it
    /// runs on every request.
    static func hostName(of authority: String) -> String {
        let bytes = authority.utf8
        var name = bytes[...]
        if bytes.first == UInt8(ascii: "["), let close = bytes.firstIndex(of: UInt8(ascii: "]")) {
            name = bytes[bytes.index(after: bytes.startIndex)..<close]
        } else if let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
            !bytes[bytes.index(after: colon)...].contains(UInt8(ascii: ":"))
        {
            name = bytes[..<colon]
        }
        guard name.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            return name.count == bytes.count ? authority : String(Substring(name))
        }
        return String(Substring(name)).lowercased()
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
