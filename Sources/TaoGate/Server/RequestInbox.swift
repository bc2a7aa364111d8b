import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Synchronization

/// The requests a connection has received whole, in order, for the connection's one task
/// (`GatewayHTTPChannel`) to answer one at a time. The event loop puts them in; the task takes
/// them out, waiting when there is none.
final class RequestInbox: Sendable {
    enum Item: Sendable {
        /// A request's head and its whole body (see `RequestReader` for a body over the limit).
        case request(HTTPRequest, ByteBuffer)
        /// Bytes that are not HTTP: answered with 400, and the connection closed.
        case malformed
    }

    private struct State: ~Copyable {
        var queue: [Item] = []
        var waiter: UnsafeContinuation<Item?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// Adds `item`; returns how many items now wait (0 when the task took it at once).
    @discardableResult
    func deliver(_ item: Item) -> Int {
        let (waiter, waiting) = state.withLock { state -> (UnsafeContinuation<Item?, Never>?, Int) in
            if state.finished { return (nil, 0) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, 0)
            }
            state.queue.append(item)
            return (nil, state.queue.count)
        }
        waiter?.resume(returning: item)
        return waiting
    }

    /// No more items will come (the client closed its side, or the connection is gone). The
    /// items already in stay to be taken.
    func finish() {
        state.withLock { state -> UnsafeContinuation<Item?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }?.resume(returning: nil)
    }

    /// The next item, or nil once the inbox is finished and empty.
    func next() async -> Item? {
        await withUnsafeContinuation { continuation in
            let now = state.withLock { state -> Item?? in
                if !state.queue.isEmpty { return .some(state.queue.removeFirst()) }
                if state.finished { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}

/// The last handler of a client connection's pipeline: collects each request's head and body
/// and hands the whole request to the connection's `RequestInbox`.
///
/// A body is kept up to `maxBodyBytes` and one byte more; the rest of a longer one is read and
/// dropped, so the route that reads it refuses it as too large (413) and the connection stays in
/// step. A client that pipelines more than `maxWaitingRequests` requests behind the one being
/// answered is disconnected.
final class RequestReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart

    static let maxWaitingRequests = 16

    private let inbox: RequestInbox
    private let maxBodyBytes: Int
    private var head: HTTPRequest?
    private var body: ByteBuffer?

    init(inbox: RequestInbox, maxBodyBytes: Int) {
        self.inbox = inbox
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = nil
        case .body(var part):
            guard head != nil else { return }
            if body == nil {
                body = part
            } else if body!.readableBytes <= maxBodyBytes {
                body!.writeBuffer(&part)
            }
            if body!.readableBytes > maxBodyBytes + 1 {
                body!.moveWriterIndex(to: body!.readerIndex + maxBodyBytes + 1)
            }
        case .end:
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

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent { inbox.finish() }
        context.fireUserInboundEventTriggered(event)
    }

    // Hummingbird's `HTTPConnectionStateHandler`, before this one, does not pass on
    // `channelInactive`; a closed channel removes its handlers.
    func handlerRemoved(context: ChannelHandlerContext) {
        inbox.finish()
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
}
