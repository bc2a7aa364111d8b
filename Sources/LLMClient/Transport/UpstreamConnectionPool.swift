import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The keep-alive connections to one origin that live on one event loop. Everything here runs on
/// that loop: a request made on a loop is sent on one of its connections, so its bytes never
/// cross threads. Idle connections are reused last-in first-out and closed after a minute idle;
/// past `maxConnections`, requests wait in order for one to come free.
final class UpstreamConnectionPool {
    let eventLoop: any EventLoop
    let origin: UpstreamOrigin
    /// The loop's watch over deadlines, shared by its pools.
    private let watch: ExchangeWatch
    private let configuration: UpstreamTransport.Configuration
    /// The TLS context for an https origin (nil for http), or why it could not be made.
    private let tls: Result<NIOSSLContext, any Error>?
    /// For an https origin behind a proxy: the proxy its connections tunnel through (CONNECT).
    private let tunnelProxy: UpstreamProxy?
    /// For an http origin behind a proxy: the proxy its connections go to, which is sent every
    /// request in absolute form.
    private let forwardProxy: UpstreamProxy?
    private var idle: [(handler: UpstreamConnectionHandler, since: NIODeadline)] = []
    private var open = 0
    private var waiting: [UpstreamExchange] = []
    private var reaper: Scheduled<Void>?
    private var isShutDown = false
    /// Completed once shut down and every connection has closed.
    private var drained: EventLoopPromise<Void>?

    init(
        eventLoop: any EventLoop,
        origin: UpstreamOrigin,
        watch: ExchangeWatch,
        configuration: UpstreamTransport.Configuration,
        tls: Result<NIOSSLContext, any Error>?
    ) {
        self.eventLoop = eventLoop
        self.origin = origin
        self.watch = watch
        self.configuration = configuration
        self.tls = tls
        let proxy = configuration.proxies.proxy(for: origin)
        self.tunnelProxy = origin.usesTLS ? proxy : nil
        self.forwardProxy = origin.usesTLS ? nil : proxy
    }

    func execute(_ exchange: UpstreamExchange) {
        eventLoop.assertInEventLoop()
        guard !isShutDown else { return exchange.fail(.unreachable("the gateway is shutting down")) }
        if let forwardProxy { exchange.addressForwardProxy(origin: origin, authorization: forwardProxy.authorization) }
        exchange.start(watchedBy: watch)
        guard !exchange.isFinished else { return }
        while let (handler, _) = idle.popLast() {
            if handler.isIdle { return handler.send(exchange) }
        }
        if open < configuration.maxConnectionsPerLoop {
            connect(for: exchange)
        } else {
            waiting.append(exchange)
        }
    }

    private func connect(for exchange: UpstreamExchange) {
        var tlsContext: NIOSSLContext?
        switch tls {
        case .success(let context): tlsContext = context
        case .failure(let error): return exchange.fail(.unreachable("TLS is not available: \(error)"))
        case nil: break
        }
        open += 1
        let origin = origin
        let tls = tlsContext
        let proxy = tunnelProxy
        let firstHop = tunnelProxy ?? forwardProxy
        /// TLS when the origin wants it, then HTTP/1.1 and the connection's handler.
        let addConnectionHandlers = { @Sendable (channel: any Channel) throws in
            let pipeline = channel.pipeline.syncOperations
            if let tls {
                let hostname = origin.host.isIPAddress ? nil : origin.host
                try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: hostname))
            }
            let decoder = HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop)
            try pipeline.addHandler(ByteToMessageHandler(UpstreamResponseDecoder(http: decoder)))
            try pipeline.addHandler(UpstreamConnectionHandler(decoder: decoder))
        }
        ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let proxy {
                        // A handler of its own for each attempt: happy eyeballs may make two at once.
                        let tunnel = ProxyTunnelHandler(target: origin, authorization: proxy.authorization, established: channel.eventLoop.makePromise())
                        try channel.pipeline.syncOperations.addHandler(tunnel)
                    } else {
                        try addConnectionHandlers(channel)
                    }
                }
            }
            .connect(host: firstHop?.host ?? origin.host, port: firstHop?.port ?? origin.port)
            .flatMap { channel in
                // Through a proxy: once the tunnel is open, the connection's handlers replace its.
                guard proxy != nil else { return channel.eventLoop.makeSucceededFuture(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    UnsafeTransfer(try channel.pipeline.syncOperations.handler(type: ProxyTunnelHandler.self))
                }.flatMap { tunnel in
                    tunnel.value.established.futureResult.flatMap {
                        channel.pipeline.syncOperations.removeHandler(tunnel.value)
                    }
                }.flatMapThrowing {
                    try addConnectionHandlers(channel)
                    return channel
                }.flatMapErrorThrowing { error in
                    channel.close(promise: nil)
                    throw error
                }
            }
            .assumeIsolated()
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    // Counted out once it closes, however that comes: also before it became
                    // active (as when a pool shutting down closes it the moment it connects),
                    // which tears the pipeline down without a `channelInactive`.
                    channel.closeFuture.assumeIsolated().whenComplete { [self] _ in closed() }
                    guard let handler = try? channel.pipeline.syncOperations.handler(type: UpstreamConnectionHandler.self) else {
                        exchange.fail(.unreachable("the upstream connection closed as it opened"))
                        return
                    }
                    handler.onReusable = { [weak self, weak handler] in
                        guard let self, let handler else { return }
                        self.release(handler)
                    }
                    if exchange.isFinished {
                        release(handler)  // timed out or cancelled while connecting
                    } else {
                        handler.send(exchange)
                    }
                case .failure(let error):
                    exchange.fail(Self.connectFailure(error))
                    closed()
                }
            }
    }

    private func release(_ handler: UpstreamConnectionHandler) {
        guard handler.isIdle else { return }  // closed meanwhile: `closed()` counts it out
        while let next = waiting.first {
            waiting.removeFirst()
            if !next.isFinished { return handler.send(next) }
        }
        guard !isShutDown else { return handler.closeIdle() }
        idle.append((handler, .now()))
        if reaper == nil { scheduleReaper() }
    }

    /// A connection has closed: one fewer is open, so a waiting request may open its own.
    private func closed() {
        open -= 1
        while let next = waiting.first {
            waiting.removeFirst()
            if !next.isFinished { return connect(for: next) }
        }
        if isShutDown && open == 0 { drained?.succeed() }
    }

    /// Closes the connections idle for the whole timeout, then waits for the next one to be.
    private func scheduleReaper(in delay: TimeAmount? = nil) {
        reaper = eventLoop.assumeIsolated().scheduleTask(in: delay ?? configuration.idleConnectionTimeout) { [self] in
            reaper = nil
            let cutoff = NIODeadline.now() - configuration.idleConnectionTimeout
            for connection in idle where connection.since <= cutoff { connection.handler.closeIdle() }
            idle.removeAll { $0.since <= cutoff || !$0.handler.isIdle }
            if let oldest = idle.map(\.since).min() {
                scheduleReaper(in: max(oldest + configuration.idleConnectionTimeout - .now(), .milliseconds(1)))
            }
        }
    }

    /// Closes the idle connections now and the others as their responses end (a stream is
    /// left to finish, as the server's grace period allows); completes when all have closed.
    func shutdown() -> EventLoopFuture<Void> {
        eventLoop.assertInEventLoop()
        if let drained { return drained.futureResult }
        isShutDown = true
        let drained = eventLoop.makePromise(of: Void.self)
        self.drained = drained
        reaper?.cancel()
        for exchange in waiting { exchange.fail(.unreachable("the gateway is shutting down")) }
        waiting = []
        let idleNow = idle
        idle = []
        for connection in idleNow { connection.handler.closeIdle() }
        if open == 0 { drained.succeed() }
        return drained.futureResult
    }

    private static func connectFailure(_ error: any Error) -> ProviderError {
        if let error = error as? ProviderError { return error }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return .unreachable("could not connect to the upstream in time")
        }
        return .unreachable("could not connect to the upstream: \(error)")
    }
}

extension String {
    /// An IPv4 or IPv6 literal, which TLS does not send as the server's name.
    var isIPAddress: Bool {
        (try? SocketAddress(ipAddress: self, port: 0)) != nil
    }
}

/// Hands a value made on an event loop to a closure that NIO runs on that same loop.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
