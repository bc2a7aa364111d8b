import Foundation
import NIOCore

/// Which upstreams are reached through an HTTP proxy, as `HTTPS_PROXY`, `HTTP_PROXY` and
/// `NO_PROXY` say. A connection to an https upstream is a `CONNECT` tunnel, so TLS runs end to end
/// and the proxy sees only the host and port. Requests to an http upstream go to the proxy in
/// absolute form (`POST http://host/path`), as curl sends them: proxies commonly allow CONNECT only
/// to port 443. Loopback hosts never go through a proxy.
public struct UpstreamProxySettings: Sendable {
    /// For https upstreams.
    public var https: UpstreamProxy?
    /// For http upstreams.
    public var http: UpstreamProxy?
    /// Host names (and their subdomains) and addresses reached directly; `*` means all.
    public var exceptions: [String]

    public static let none = UpstreamProxySettings(https: nil, http: nil, exceptions: [])

    public init(https: UpstreamProxy?, http: UpstreamProxy?, exceptions: [String]) {
        self.https = https
        self.http = http
        self.exceptions = exceptions.compactMap(Self.normalized)
    }

    /// The proxy for `origin`, or nil to connect directly.
    public func proxy(for origin: UpstreamOrigin) -> UpstreamProxy? {
        guard let proxy = origin.usesTLS ? https : http else { return nil }
        let host = origin.host
        if host == "localhost" || host.hasSuffix(".localhost") || Self.isLoopback(host) { return nil }
        for exception in exceptions {
            if exception == "*" || host == exception || host.hasSuffix("." + exception) { return nil }
        }
        return proxy
    }

    /// `.example.com`, `*.example.com` and `example.com:443` all mean example.com and below.
    private static func normalized(_ entry: String) -> String? {
        var entry = entry.trimmingCharacters(in: .whitespaces).lowercased()
        if entry.hasPrefix("*.") { entry.removeFirst(2) }
        while entry.hasPrefix(".") { entry.removeFirst() }
        if entry.hasPrefix("[") {
            if let close = entry.firstIndex(of: "]") { entry = String(entry[entry.index(after: entry.startIndex)..<close]) }
        } else if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
            entry = String(entry[..<colon])
        }
        return entry.isEmpty ? nil : entry
    }

    private static func isLoopback(_ host: String) -> Bool {
        host == "::1" || (host.hasPrefix("127.") && host.isIPAddress)
    }
}

/// An HTTP proxy: where it listens, and the `Proxy-Authorization` to send it, if any.
public struct UpstreamProxy: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// `Basic …` from the URL's user and password.
    public var authorization: String?

    /// Reads `http://[user:password@]host[:port]` (a missing scheme means http; the port
    /// defaults to 80). Nil for anything else.
    public init?(url text: String) {
        let text = text.contains("://") ? text : "http://" + text
        guard let url = URLComponents(string: text), url.scheme?.lowercased() == "http", let host = url.host, !host.isEmpty else {
            return nil
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        self.port = url.port ?? 80
        if let user = url.user {
            let credentials = "\(user.removingPercentEncoding ?? user):\(url.password?.removingPercentEncoding ?? "")"
            authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        }
    }
}

/// Opens a `CONNECT` tunnel through a proxy, then gets out of the way: once the proxy has said
/// 200, `established` succeeds and the connection's own handlers take over.
final class ProxyTunnelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let established: EventLoopPromise<Void>
    private let target: UpstreamOrigin
    private let authorization: String?
    private var answer = ByteBuffer()
    private var sent = false
    private var settled = false

    init(target: UpstreamOrigin, authorization: String?, established: EventLoopPromise<Void>) {
        self.target = target
        self.authorization = authorization
        self.established = established
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendConnect(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendConnect(context: context)
        context.fireChannelActive()
    }

    private func sendConnect(context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        let authority = target.host.contains(":") ? "[\(target.host)]:\(target.port)" : "\(target.host):\(target.port)"
        var request = "CONNECT \(authority) HTTP/1.1\r\nHost: \(authority)\r\n"
        if let authorization { request += "Proxy-Authorization: \(authorization)\r\n" }
        request += "\r\n"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        answer.writeBuffer(&bytes)
        let view = answer.readableBytesView
        guard let end = view.firstRange(of: [13, 10, 13, 10]) else {
            if answer.readableBytes > 16 * 1024 { refuse(context, "the proxy's answer to CONNECT is too long") }
            return
        }
        guard end.upperBound == view.endIndex else {
            return refuse(context, "the proxy sent bytes after its answer to CONNECT")
        }
        let statusLine = String(decoding: view[view.startIndex..<(view.firstIndex(of: 13) ?? end.lowerBound)], as: UTF8.self)
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            return refuse(context, "the proxy's answer to CONNECT is not HTTP")
        }
        guard (200..<300).contains(status) else {
            return refuse(context, "the proxy refused the tunnel with status \(status)")
        }
        settled = true
        established.succeed()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail("the proxy closed the connection before the tunnel was open")
        context.fireChannelInactive()
    }

    // A channel closed before it became active is torn down without `channelInactive`.
    func handlerRemoved(context: ChannelHandlerContext) {
        fail("the proxy connection closed before the tunnel was open")
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        refuse(context, "the proxy connection failed: \(error)")
    }

    private func refuse(_ context: ChannelHandlerContext, _ reason: String) {
        fail(reason)
        context.close(promise: nil)
    }

    private func fail(_ reason: String) {
        guard !settled else { return }
        settled = true
        established.fail(ProviderError.unreachable(reason))
    }
}
