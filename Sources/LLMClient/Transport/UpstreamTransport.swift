import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// HTTP/1.1 to the upstreams, on SwiftNIO: the transport every provider call goes through.
///
/// Each event loop has its own keep-alive pools, one per origin and caller (a `ProviderClient`,
/// that is one provider key, so keys never share a connection), and a request is sent on the
/// loop it was made on, so with tasks running on the event loops (as `taogate serve` has them)
/// the upstream connection lives on the loop of the client's connection and no byte crosses a
/// thread. Timeouts are event-loop timers, not tasks. A response body is read as fast as its
/// reader reads it, a few buffers ahead. TLS is NIOSSL's, with certificates and host names
/// verified against the system's roots (or the configured ones).
///
/// Measured against AsyncHTTPClient under the same Hummingbird server (BENCHMARKS.md, "The
/// floors under the transport"): about twice the throughput at half the CPU per request.
public final class UpstreamTransport: Sendable {
    public struct Configuration: Sendable {
        public var connectTimeout: TimeAmount
        /// Idle connections are closed after this long.
        public var idleConnectionTimeout: TimeAmount
        /// Open connections per origin and caller on each event loop; requests past it wait for one.
        public var maxConnectionsPerLoop: Int
        public var tls: TLSConfiguration
        /// Which origins are reached through an HTTP proxy; none by default.
        public var proxies: UpstreamProxySettings

        public init(
            connectTimeout: TimeAmount = .seconds(10),
            idleConnectionTimeout: TimeAmount = .seconds(60),
            maxConnectionsPerLoop: Int = 512,
            tls: TLSConfiguration = .makeClientConfiguration(),
            proxies: UpstreamProxySettings = .none
        ) {
            self.connectTimeout = connectTimeout
            self.idleConnectionTimeout = idleConnectionTimeout
            self.maxConnectionsPerLoop = maxConnectionsPerLoop
            self.tls = tls
            self.proxies = proxies
        }
    }

    public let configuration: Configuration
    private let group: MultiThreadedEventLoopGroup
    private let loops: [ObjectIdentifier: LoopPools]
    private let census = ExchangeCensus()

    /// Requests whose exchange is still in memory: in flight, or leaked. For tests and diagnostics.
    public var exchangesInMemory: Int { census.count.load(ordering: .relaxed) }

    /// - Parameter group: the loops to keep pools on; requests made off them use one of them.
    public init(configuration: Configuration = Configuration(), group: MultiThreadedEventLoopGroup = .singleton) {
        self.configuration = configuration
        self.group = group
        let tls = TLSContextOnFirstUse(configuration.tls)
        var loops: [ObjectIdentifier: LoopPools] = [:]
        for loop in group.makeIterator() {
            loops[ObjectIdentifier(loop)] = LoopPools(eventLoop: loop, configuration: configuration, tls: tls)
        }
        self.loops = loops
    }

    /// A number no other caller of any transport has, for `execute(…, pool:)`.
    public static func newPool() -> Int {
        nextPool.add(1, ordering: .relaxed).newValue
    }

    private static let nextPool = Atomic(0)

    /// Sends one request and returns the response once its head has arrived.
    ///
    /// - Parameters:
    ///   - pool: whose connections to `origin` to use (see `newPool()`); 0 is the shared pool.
    ///   - deadline: when to give up with `ProviderError.timeout`; it bounds the whole response
    ///     when `deadlineCoversBody`, else only the wait for its head.
    ///   - idleTimeout: the longest silence between two reads of the body.
    ///   - wholeBodyLimit: when set, the body is read whole before this returns (a plain answer
    ///     its caller would collect anyway: no sequence, no task switch per part), and one of
    ///     more bytes fails with `ProviderError.invalidResponse`; when nil, it is streamed.
    /// Cancelling the calling task closes the connection, also while its body is being read.
    public func execute(
        _ method: HTTPMethod,
        origin: UpstreamOrigin,
        pool: Int = 0,
        path: String,
        headers: HTTPHeaders,
        body: ByteBuffer?,
        deadline: NIODeadline,
        deadlineCoversBody: Bool,
        idleTimeout: TimeAmount?,
        wholeBodyLimit: Int? = nil
    ) async throws -> UpstreamResponse {
        let loop = group.any()
        guard let pools = loops[ObjectIdentifier(loop)] else { throw ProviderError.unreachable("no event loop for the upstream") }
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        head.headers.reserveCapacity(headers.count + 2)  // one copy of the caller's headers, not three
        head.headers.set(name: "Host", value: origin.hostHeader)
        head.headers.set(name: "Content-Length", value: String(body?.readableBytes ?? 0))
        let exchange = UpstreamExchange(
            eventLoop: loop,
            head: head,
            body: body,
            deadline: deadline,
            coversBody: deadlineCoversBody,
            idleTimeout: idleTimeout,
            wholeBodyLimit: wholeBodyLimit,
            census: census
        )
        let key = PoolKey(origin: origin, caller: pool)
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { waiter in
                if loop.inEventLoop {
                    Self.start(exchange, answering: waiter, in: pools.pool(for: key))
                } else {
                    loop.execute { Self.start(exchange, answering: waiter, in: pools.pool(for: key)) }
                }
            }
        } onCancel: {
            loop.execute { exchange.stop(.unreachable("the call was cancelled")) }
        }
    }

    /// Hands `exchange` to `pool` once its caller waits; one stopped already (a cancellation
    /// that came first) goes no further.
    private static func start(
        _ exchange: UpstreamExchange,
        answering waiter: UnsafeContinuation<UpstreamResponse, any Error>,
        in pool: UpstreamConnectionPool
    ) {
        exchange.answers(waiter)
        guard !exchange.isFinished else { return }
        pool.execute(exchange)
    }

    /// Closes every connection; requests after this fail.
    public func shutdown() async {
        var closing: [EventLoopFuture<Void>] = []
        for pools in loops.values {
            closing.append(pools.eventLoop.flatSubmit { pools.shutdown() })
        }
        for future in closing { try? await future.get() }
    }
}

extension HTTPHeaders {
    /// `replaceOrAdd`, without its removal pass (which copies the headers) when `name` is absent,
    /// as it usually is.
    fileprivate mutating func set(name: String, value: String) {
        if contains(name: name) { replaceOrAdd(name: name, value: value) } else { add(name: name, value: value) }
    }
}

/// Which pool a request goes to: its origin, and whose connections to it.
private struct PoolKey: Hashable {
    let origin: UpstreamOrigin
    let caller: Int
}

/// One event loop's pools, by origin and caller; touched only on that loop.
private final class LoopPools: @unchecked Sendable {
    let eventLoop: any EventLoop
    private let configuration: UpstreamTransport.Configuration
    private let tls: TLSContextOnFirstUse
    private let watch: ExchangeWatch
    private var pools: [PoolKey: UpstreamConnectionPool] = [:]

    init(eventLoop: any EventLoop, configuration: UpstreamTransport.Configuration, tls: TLSContextOnFirstUse) {
        self.eventLoop = eventLoop
        self.watch = ExchangeWatch(eventLoop: eventLoop)
        self.configuration = configuration
        self.tls = tls
    }

    func pool(for key: PoolKey) -> UpstreamConnectionPool {
        eventLoop.assertInEventLoop()
        if let pool = pools[key] { return pool }
        let origin = key.origin
        let pool = UpstreamConnectionPool(
            eventLoop: eventLoop,
            origin: origin,
            watch: watch,
            configuration: configuration,
            tls: origin.usesTLS ? tls.context : nil
        )
        pools[key] = pool
        return pool
    }

    func shutdown() -> EventLoopFuture<Void> {
        let closing = pools.values.map { $0.shutdown() }
        return EventLoopFuture.andAllComplete(closing, on: eventLoop)
    }
}

/// The transport's TLS context, made when the first https origin needs it and then shared by
/// every loop. Making one reads and parses the system's trust store (tens of milliseconds), which
/// a gateway talking only to http upstreams, or a test process making hundreds of gateways,
/// should not pay. If the settings cannot be loaded, https requests fail with the reason.
final class TLSContextOnFirstUse: Sendable {
    private let configuration: TLSConfiguration
    private let made = NIOLockedValueBox<Result<NIOSSLContext, any Error>?>(nil)

    init(_ configuration: TLSConfiguration) { self.configuration = configuration }

    var context: Result<NIOSSLContext, any Error> {
        made.withLockedValue { made in
            if let made { return made }
            let context = Result { try NIOSSLContext(configuration: configuration) }
            made = context
            return context
        }
    }
}
