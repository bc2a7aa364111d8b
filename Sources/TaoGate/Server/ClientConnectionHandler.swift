import HTTPTypes
import NIOCore
import NIOHTTP1
import Synchronization

/// The bytes of an answer on their way to the client (see `ChannelResponseWriter`); the last
/// write of each answer says so, which is how the connection knows its requests are answered.
enum AnswerBytes {
    case more(ByteBuffer)
    case last(ByteBuffer)
}

/// A client connection's one handler after SwiftNIO's HTTP/1 request decoder: what five
/// handlers did, each with a pipeline step per part of every request and answer (HTTPTypes'
/// codec, Hummingbird's connection state, TaoGate's limits, close watch and request reader).
///
/// - Collects each request's head and body and hands the whole request to the connection's
///   `RequestInbox`. A body is kept up to `maxBodyBytes` and one byte more; the rest of a longer
///   one is read and dropped, so the route that reads it refuses it as too large (413) and the
///   connection stays in step. A client that pipelines more than `maxWaitingRequests` requests
///   behind the one being answered is disconnected.
/// - Limits what a client holds before any authentication: the connections open at once (past
///   `ConnectionCount.limit` a new one is closed as it arrives), the time a request's body may
///   take once its head has come (BODY_TIMEOUT_MS), and the idle time before a request and
///   between requests (IDLE_TIMEOUT_MS; never while a request is being answered).
/// - Tells the request in progress (`ConnectionLifetime`) when the client closes its side or
///   the connection drops, and closes the connection at a graceful shutdown once its answers are
///   written.
/// - Passes each answer's bytes on, counting answers finished against requests received.
final class ClientConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = AnswerBytes
    typealias OutboundOut = ByteBuffer

    static let maxWaitingRequests = 16

    struct Limits {
        let connections: ConnectionCount
        let maxBodyBytes: Int
        let bodyTimeout: TimeAmount
        let idleTimeout: TimeAmount?
    }

    let inbox = RequestInbox()
    let lifetime = ConnectionLifetime()
    private let limits: Limits
    private let metrics: GatewayMetrics?

    private var counted = false
    private var isActive = false
    /// The request being read, until its end comes.
    private var head: RequestInbox.Head?
    private var body: ByteBuffer?
    /// Requests received whose answers are not yet written.
    private var unanswered = 0
    private var closesWhenAnswered = false
    private var lastActive = NIODeadline.now()
    private var bodyDeadline: Scheduled<Void>?
    private var idleCheck: Scheduled<Void>?

    init(limits: Limits, metrics: GatewayMetrics?) {
        self.limits = limits
        self.metrics = metrics
    }

    // MARK: The connection

    func handlerAdded(context: ChannelHandlerContext) {
        guard limits.connections.open() else {
            metrics?.connectionRefused()
            context.close(promise: nil)
            return
        }
        counted = true
        metrics?.connectionOpened()
        if context.channel.isActive { becameActive(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        becameActive(context: context)
        context.fireChannelActive()
    }

    private func becameActive(context: ChannelHandlerContext) {
        guard !isActive else { return }
        isActive = true
        lastActive = .now()
        scheduleIdleCheck(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        lifetime.clientLeft()
        inbox.finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        bodyDeadline?.cancel()
        bodyDeadline = nil
        idleCheck?.cancel()
        idleCheck = nil
        inbox.finish()
        guard counted else { return }
        counted = false
        limits.connections.close()
        metrics?.connectionClosed()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            // A graceful shutdown: an idle connection closes now, a busy one once its answers are
            // written.
            if unanswered > 0 { closesWhenAnswered = true } else { context.close(promise: nil) }
        default:
            if case .some(.inputClosed) = event as? ChannelEvent {
                lifetime.clientLeft()
                inbox.finish()
            }
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            inbox.deliver(.malformed)
            inbox.finish()
        } else {
            inbox.finish()
            context.close(promise: nil)
        }
    }

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActive = .now()
        switch unwrapInboundIn(data) {
        case .head(let nioHead):
            unanswered += 1
            guard let head = RequestInbox.Head(nioHead) else {
                // A method HTTPTypes cannot hold: answered as bytes that are not HTTP.
                errorCaught(context: context, error: HTTPParserError.invalidMethod)
                return
            }
            self.head = head
            self.body = nil
        case .body(var part):
            guard head != nil else { return }
            if body == nil {
                body = part
            } else if body!.readableBytes <= limits.maxBodyBytes {
                body!.writeBuffer(&part)
            }
            if body!.readableBytes > limits.maxBodyBytes + 1 {
                body!.moveWriterIndex(to: body!.readerIndex + limits.maxBodyBytes + 1)
            }
        case .end:
            bodyDeadline?.cancel()
            bodyDeadline = nil
            guard let head else { return }
            let body = self.body ?? ByteBuffer()
            self.head = nil
            self.body = nil
            if inbox.deliver(.request(head, body)) > Self.maxWaitingRequests {
                inbox.finish()
                context.close(promise: nil)
            }
        }
    }

    // The body's timer starts only for a request still unfinished when a read ends: most
    // requests arrive whole in one read and need none.
    func channelReadComplete(context: ChannelHandlerContext) {
        if head != nil, bodyDeadline == nil {
            let metrics = self.metrics
            bodyDeadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: limits.bodyTimeout) {
                metrics?.inboundTimeout(kind: "body")
                context.close(promise: nil)
            }
        }
        context.fireChannelReadComplete()
    }

    // MARK: Answers

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .more(let bytes):
            context.write(wrapOutboundOut(bytes), promise: promise)
        case .last(let bytes):
            unanswered = max(0, unanswered - 1)
            guard unanswered == 0 else { return context.write(wrapOutboundOut(bytes), promise: promise) }
            if closesWhenAnswered {
                // Closed once the bytes are written: a close drops what is still queued.
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.cascade(to: promise)
                context.writeAndFlush(wrapOutboundOut(bytes), promise: written)
                written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                return
            }
            lastActive = .now()
            scheduleIdleCheck(context: context)
            context.write(wrapOutboundOut(bytes), promise: promise)
        }
    }

    // MARK: Idle time

    private func scheduleIdleCheck(context: ChannelHandlerContext) {
        guard let idleTimeout = limits.idleTimeout, isActive, idleCheck == nil else { return }
        idleCheck = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: lastActive + idleTimeout) {
            self.idleCheck = nil
            self.idleTimeReached(context: context, idleTimeout: idleTimeout)
        }
    }

    private func idleTimeReached(context: ChannelHandlerContext, idleTimeout: TimeAmount) {
        guard isActive else { return }
        // A request read whole and being answered is not idle time: the answer's end starts
        // the clock again.
        if head == nil, unanswered > 0 { return }
        if NIODeadline.now() >= lastActive + idleTimeout {
            context.close(promise: nil)
        } else {
            scheduleIdleCheck(context: context)
        }
    }
}

/// How many client connections are open, against a limit shared by every connection.
final class ConnectionCount: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection; false (and not counted) when the limit is reached.
    func open() -> Bool {
        var current = count.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = count.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func close() {
        count.subtract(1, ordering: .relaxed)
    }

    var current: Int { count.load(ordering: .relaxed) }
}
