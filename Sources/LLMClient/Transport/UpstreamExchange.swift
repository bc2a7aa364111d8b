import NIOCore
import NIOHTTP1
import Synchronization

/// One request and its response, from the moment it is handed to a pool until the response has
/// ended or failed. Its state is touched only on its event loop; the response's body is read
/// by one task elsewhere, through its `UpstreamBodyQueue`.
final class UpstreamExchange: @unchecked Sendable {
    let eventLoop: any EventLoop
    private(set) var head: HTTPRequestHead
    let body: ByteBuffer?
    /// Until the response head arrives (streams), or until the whole response has (plain calls).
    let deadline: NIODeadline
    let coversBody: Bool
    /// The longest silence allowed between two reads of the body, once the head has arrived.
    let idleTimeout: TimeAmount?
    /// Set for a body read whole before the response is handed over (at most this many bytes);
    /// nil for a body streamed to its reader.
    let wholeBodyLimit: Int?
    /// The caller waiting for the response, resumed once on the loop and then let go (the
    /// response's body holds this exchange). A continuation rather than a promise: no future,
    /// no callback, no allocation per call.
    private var waiter: UnsafeContinuation<UpstreamResponse, any Error>?
    /// A failure that came before the caller began to wait (a cancellation racing the start).
    private var earlyFailure: ProviderError?

    /// A streamed body's way to its reader, from the head's arrival until the body ends.
    private var source: UpstreamBodyQueue?
    /// A body read whole: the head, once it has come, and the bytes so far.
    private var wholeHead: HTTPResponseHead?
    private var wholeBody: ByteBuffer?
    /// The loop's watch over deadlines and silences, from `start` until the exchange ends.
    private var watch: ExchangeWatch?
    /// Where the watch keeps this exchange (the watch's bookkeeping).
    var watchSlot = -1
    private var headArrived = false
    /// When the body was last read, or the head arrived (kept only under an idle timeout).
    private var lastRead = NIODeadline.distantPast
    private(set) var isFinished = false
    /// The connection carrying the exchange, which `stop` closes; held only until the exchange
    /// ends (the connection holds the exchange meanwhile).
    var carrier: UpstreamConnectionHandler?
    private let census: ExchangeCensus

    init(
        eventLoop: any EventLoop,
        head: HTTPRequestHead,
        body: ByteBuffer?,
        deadline: NIODeadline,
        coversBody: Bool,
        idleTimeout: TimeAmount?,
        wholeBodyLimit: Int?,
        census: ExchangeCensus
    ) {
        self.eventLoop = eventLoop
        self.head = head
        self.body = body
        self.deadline = deadline
        self.coversBody = coversBody
        self.idleTimeout = idleTimeout
        self.wholeBodyLimit = wholeBodyLimit
        self.census = census
        census.count.add(1, ordering: .relaxed)
    }

    deinit {
        // Every way an exchange ends answers its waiter; should one ever not, its caller fails
        // rather than waiting forever.
        waiter?.resume(throwing: ProviderError.unreachable("the upstream exchange ended without an answer"))
        source?.finish(ProviderError.unreachable("the upstream exchange ended before its body"))
        census.count.subtract(1, ordering: .relaxed)
    }

    /// Who gets the response (or the failure); called once, on the loop, before the exchange
    /// goes to a pool.
    func answers(_ waiter: UnsafeContinuation<UpstreamResponse, any Error>) {
        eventLoop.assertInEventLoop()
        if let earlyFailure {
            waiter.resume(throwing: earlyFailure)
        } else {
            self.waiter = waiter
        }
    }

    /// The waiter gets the response or the failure, and is let go; a failure before anyone
    /// waits is kept for the waiter to come.
    private func answer(_ outcome: Result<UpstreamResponse, ProviderError>) {
        guard let waiter else {
            if case .failure(let error) = outcome { earlyFailure = error }
            return
        }
        self.waiter = nil
        waiter.resume(with: outcome)
    }

    /// Addresses the request to a forward proxy in front of an http `origin`: the request line in
    /// absolute form (`POST http://host/path`), with the proxy's credentials, if any.
    func addressForwardProxy(origin: UpstreamOrigin, authorization: String?) {
        head.uri = origin.description + head.uri
        if let authorization { head.headers.replaceOrAdd(name: "Proxy-Authorization", value: authorization) }
    }

    /// Puts the exchange under `watch`, which stops it at its deadline or when its body goes
    /// silent; called once, when the exchange enters a pool.
    func start(watchedBy watch: ExchangeWatch) {
        eventLoop.assertInEventLoop()
        guard watch.add(self) else { return fail(.unreachable("the gateway is shutting down")) }
        self.watch = watch
    }

    /// Why the exchange must end at `now`, if it must.
    func overdue(at now: NIODeadline) -> ProviderError? {
        if !isFinished, coversBody || !headArrived, now >= deadline {
            return .timeout("the upstream did not answer within the time allowed")
        }
        if !isFinished, headArrived, let idleTimeout, now - lastRead >= idleTimeout {
            return .timeout("the upstream sent nothing for longer than the idle timeout")
        }
        return nil
    }

    /// Ends the exchange early (a timeout, a caller that left): its connection is closed.
    func stop(_ error: ProviderError) {
        eventLoop.assertInEventLoop()
        if let carrier { carrier.abort(self, with: error) } else { fail(error) }
    }

    /// The response head arrived: the caller gets the response, whose body `connection` feeds
    /// (or, for a body read whole, gets it at the end).
    func received(_ head: HTTPResponseHead, connection: UpstreamConnectionHandler) {
        eventLoop.assertInEventLoop()
        guard !isFinished else { return }
        headArrived = true
        if idleTimeout != nil { lastRead = .now() }
        if wholeBodyLimit != nil {
            wholeHead = head
            return
        }
        let queue = UpstreamBodyQueue(demand: BodyDemand(eventLoop: eventLoop, connection: connection, exchange: self))
        source = queue
        answer(.success(UpstreamResponse(status: head.status, headers: head.headers, body: UpstreamResponseBody(streaming: queue))))
    }

    /// A piece of the body; false when the reader wants no more for now.
    func received(_ bytes: ByteBuffer) -> Bool {
        if idleTimeout != nil { lastRead = .now() }
        if let wholeBodyLimit, wholeHead != nil {
            guard (wholeBody?.readableBytes ?? 0) + bytes.readableBytes <= wholeBodyLimit else {
                stop(UpstreamResponseBody.tooLarge(wholeBodyLimit))
                return true
            }
            if wholeBody == nil {
                wholeBody = bytes
            } else {
                var bytes = bytes
                wholeBody!.writeBuffer(&bytes)
            }
            return true
        }
        guard let source else { return true }
        return source.yield(bytes)
    }

    func finish() {
        guard !isFinished else { return }
        isFinished = true
        carrier = nil  // it holds the exchange: a cycle until the exchange ends
        unwatch()
        if let head = wholeHead {
            let body = UpstreamResponseBody(whole: wholeBody ?? ByteBuffer())
            answer(.success(UpstreamResponse(status: head.status, headers: head.headers, body: body)))
            wholeBody = nil
            return
        }
        source?.finish()
        source = nil
    }

    func fail(_ error: ProviderError) {
        guard !isFinished else { return }
        isFinished = true
        carrier = nil
        unwatch()
        if let source {
            source.finish(error)
            self.source = nil
        } else {
            answer(.failure(error))
            wholeBody = nil
        }
    }

    private func unwatch() {
        watch?.remove(self)
        watch = nil
    }
}

/// Tells the connection when the body's reader wants more, or has gone.
struct BodyDemand: Sendable {
    let eventLoop: any EventLoop
    let connection: NIOLoopBound<UpstreamConnectionHandler>
    let exchange: UpstreamExchange

    init(eventLoop: any EventLoop, connection: UpstreamConnectionHandler, exchange: UpstreamExchange) {
        self.eventLoop = eventLoop
        self.connection = NIOLoopBound(connection, eventLoop: eventLoop)
        self.exchange = exchange
    }

    func produceMore() {
        eventLoop.execute { connection.value.resumeReading() }
    }

    func didTerminate() {
        eventLoop.execute { connection.value.readerLeft(exchange) }
    }
}

/// How many exchanges of one transport are in memory: those in flight, and any kept alive by
/// mistake (a retain cycle shows here as a count that never falls back to zero).
final class ExchangeCensus: Sendable {
    let count = Atomic(0)
}
