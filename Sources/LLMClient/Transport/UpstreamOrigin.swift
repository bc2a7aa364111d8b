import NIOCore

/// Where an upstream lives: scheme, host and port, read once from a provider's base URL.
/// Connections are pooled by origin; the base URL's path is kept apart, to put in front of each
/// request's path.
public struct UpstreamOrigin: Hashable, Sendable, CustomStringConvertible {
    public var usesTLS: Bool
    public var host: String
    public var port: Int

    public init(usesTLS: Bool, host: String, port: Int) {
        self.usesTLS = usesTLS
        self.host = host
        self.port = port
    }

    /// The `Host` header's value: the port only when it is not the scheme's own.
    public var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == (usesTLS ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }

    public var description: String { "\(usesTLS ? "https" : "http")://\(hostHeader)" }

    /// Splits `http(s)://host[:port][/path]` into its origin and its path (without a trailing
    /// slash). Nil for anything else: other schemes, user info, a query, a missing host, a bad port.
    public static func parse(_ url: String) -> (origin: UpstreamOrigin, basePath: String)? {
        let usesTLS: Bool
        let rest: Substring
        if url.hasPrefix("https://") {
            usesTLS = true
            rest = url.dropFirst(8)
        } else if url.hasPrefix("http://") {
            usesTLS = false
            rest = url.dropFirst(7)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        guard !authority.isEmpty, !authority.contains("@"), !path.contains("?"), !path.contains("#") else { return nil }
        while path.hasSuffix("/") { path.removeLast() }

        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        var port = usesTLS ? 443 : 80
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else { return nil }
            port = number
        }
        return (UpstreamOrigin(usesTLS: usesTLS, host: host.lowercased(), port: port), path)
    }
}
