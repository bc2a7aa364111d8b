import NIOCore
import NIOHTTPTypes
import Synchronization

/// Limits what a client can hold before any authentication: the number of connections open at
/// once (past `ConnectionCount.limit` a new connection is closed as it arrives), and the time a
/// request's body may take to arrive once its head has (BODY_TIMEOUT_MS). The time to send the
/// head, and the idle time between requests, is Hummingbird's idle timeout (IDLE_TIMEOUT_MS).
final class InboundLimitsHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let connections: ConnectionCount
    private let bodyTimeout: TimeAmount
    private let metrics: GatewayMetrics?
    private var counted = false
    /// A request's head has come and its end has not.
    private var awaitingEnd = false
    private var bodyDeadline: Scheduled<Void>?

    init(connections: ConnectionCount, bodyTimeout: Duration, metrics: GatewayMetrics?) {
        self.connections = connections
        self.bodyTimeout = TimeAmount(bodyTimeout)
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard connections.open() else {
            metrics?.connectionRefused()
            context.close(promise: nil)
            return
        }
        counted = true
        metrics?.connectionOpened()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        bodyDeadline?.cancel()
        bodyDeadline = nil
        guard counted else { return }
        counted = false
        connections.close()
        metrics?.connectionClosed()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            awaitingEnd = true
        case .end:
            awaitingEnd = false
            bodyDeadline?.cancel()
            bodyDeadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    // The body's timer starts only for a request still unfinished when a read ends: most
    // requests arrive whole in one read and need none.
    func channelReadComplete(context: ChannelHandlerContext) {
        if awaitingEnd, bodyDeadline == nil {
            let metrics = self.metrics
            bodyDeadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: bodyTimeout) {
                metrics?.inboundTimeout(kind: "body")
                context.close(promise: nil)
            }
        }
        context.fireChannelReadComplete()
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
