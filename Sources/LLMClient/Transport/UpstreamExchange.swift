import NIOCore
import NIOHTTP1
import Synchronization

/// One request and its response, from the moment it is handed to a pool until the response has
/// ended or failed. Its state is touched only on its event loop; the response's body is read
/// by one task elsewhere, through a back-pressured sequence.
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
    /// Kept only until fulfilled: its future holds the response, whose body's producer holds
    /// this exchange, so keeping it (or its future) longer would be a cycle.
    private var response: EventLoopPromise<UpstreamResponse>?

    private var source: UpstreamResponseBody.Producer.Source?
    /// A body read whole: the head, once it has come, and the bytes so far.
    private var wholeHead: HTTPResponseHead?
    private var wholeBody: ByteBuffer?
    private var deadlineTimer: NIOScheduledCallback?
    private var idleTimer: NIOScheduledCallback?
    private var lastRead = NIODeadline.now()
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
        response: EventLoopPromise<UpstreamResponse>,
        census: ExchangeCensus
    ) {
        self.eventLoop = eventLoop
        self.head = head
        self.body = body
        self.deadline = deadline
        self.coversBody = coversBody
        self.idleTimeout = idleTimeout
        self.wholeBodyLimit = wholeBodyLimit
        self.response = response
        self.census = census
        census.count.add(1, ordering: .relaxed)
    }

    deinit { census.count.subtract(1, ordering: .relaxed) }

    /// Addresses the request to a forward proxy in front of an http `origin`: the request line in
    /// absolute form (`POST http://host/path`), with the proxy's credentials, if any.
    func addressForwardProxy(origin: UpstreamOrigin, authorization: String?) {
        head.uri = origin.description + head.uri
        if let authorization { head.headers.replaceOrAdd(name: "Proxy-Authorization", value: authorization) }
    }

    /// Starts the deadline's timer; called once, when the exchange enters a pool.
    func start() {
        eventLoop.assertInEventLoop()
        deadlineTimer = schedule(at: deadline, DeadlinePassed(exchange: self))
    }

    /// A timer without a promise or a closure to allocate; nil (and the exchange failed) when
    /// the loop is shutting down.
    private func schedule(at deadline: NIODeadline, _ handler: some NIOScheduledCallbackHandler) -> NIOScheduledCallback? {
        do {
            return try eventLoop.assumeIsolated().scheduleCallback(at: deadline, handler: handler)
        } catch {
            fail(.unreachable("the gateway is shutting down"))
            return nil
        }
    }

    fileprivate func deadlinePassed() {
        stop(.timeout("the upstream did not answer within the time allowed"))
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
        if !coversBody {
            deadlineTimer?.cancel()
            deadlineTimer = nil
        }
        if let idleTimeout { scheduleIdleCheck(in: idleTimeout) }
        if wholeBodyLimit != nil {
            wholeHead = head
            return
        }
        let producer = UpstreamResponseBody.Producer.makeSequence(
            backPressureStrategy: .init(lowWatermark: 2, highWatermark: 16),
            finishOnDeinit: true,
            delegate: BodyDemand(eventLoop: eventLoop, connection: connection, exchange: self)
        )
        source = producer.source
        let response = self.response
        self.response = nil
        response?.succeed(UpstreamResponse(status: head.status, headers: head.headers, body: UpstreamResponseBody(producer.sequence)))
    }

    /// A piece of the body; false when the reader wants no more for now.
    func received(_ bytes: ByteBuffer) -> Bool {
        lastRead = .now()
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
        switch source.yield(bytes) {
        case .produceMore: return true
        case .stopProducing: return false
        case .dropped: return true
        }
    }

    func finish() {
        guard !isFinished else { return }
        isFinished = true
        carrier = nil  // it holds the exchange: a cycle until the exchange ends
        cancelTimers()
        if let head = wholeHead {
            let response = self.response
            self.response = nil
            response?.succeed(UpstreamResponse(status: head.status, headers: head.headers, body: UpstreamResponseBody(whole: wholeBody ?? ByteBuffer())))
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
        cancelTimers()
        if let source {
            source.finish(error)
            self.source = nil
        } else {
            response?.fail(error)
            response = nil
            wholeBody = nil
        }
    }

    private func cancelTimers() {
        deadlineTimer?.cancel()
        deadlineTimer = nil
        idleTimer?.cancel()
        idleTimer = nil
    }

    /// One timer per exchange, moved on only when it fires: a read costs a clock reading.
    private func scheduleIdleCheck(in delay: TimeAmount) {
        idleTimer = schedule(at: .now() + delay, IdleCheck(exchange: self))
    }

    fileprivate func checkIdle() {
        guard !isFinished, let idleTimeout else { return }
        let silence = NIODeadline.now() - lastRead
        if silence >= idleTimeout {
            stop(.timeout("the upstream sent nothing for longer than the idle timeout"))
        } else {
            scheduleIdleCheck(in: idleTimeout - silence)
        }
    }
}

/// An exchange's deadline: the event loop holds the exchange until it fires or is cancelled.
private struct DeadlinePassed: NIOScheduledCallbackHandler {
    let exchange: UpstreamExchange
    func handleScheduledCallback(eventLoop: some EventLoop) { exchange.deadlinePassed() }
}

/// An exchange's check for a body gone silent.
private struct IdleCheck: NIOScheduledCallbackHandler {
    let exchange: UpstreamExchange
    func handleScheduledCallback(eventLoop: some EventLoop) { exchange.checkIdle() }
}

/// Tells the connection when the body's reader wants more, or has gone.
struct BodyDemand: NIOAsyncSequenceProducerDelegate {
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
