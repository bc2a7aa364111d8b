import NIOCore
import NIOHTTP1
import NIOPosix

/// Keep-alive HTTP/1.1 connections to one upstream, owned by one event loop and touched only on
/// it: the relay asks the pool of the loop its client's connection lives on, so a request never
/// leaves its loop.
final class UpstreamPool {
    let eventLoop: any EventLoop
    let host: String
    let port: Int
    private var idle: [UpstreamConnection] = []

    init(eventLoop: any EventLoop, host: String, port: Int) {
        self.eventLoop = eventLoop
        self.host = host
        self.port = port
    }

    /// An idle connection, or a new one.
    func acquire() -> EventLoopFuture<UpstreamConnection> {
        eventLoop.assertInEventLoop()
        while let connection = idle.popLast() {
            if connection.channel.isActive { return eventLoop.makeSucceededFuture(connection) }
        }
        let handler = UpstreamConnection.Handler()
        return ClientBootstrap(group: eventLoop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.pipeline.addHTTPClientHandlers().flatMap { channel.pipeline.addHandler(handler) }
            }
            .connect(host: host, port: port)
            .map { channel in UpstreamConnection(channel: channel, handler: handler, pool: self) }
    }

    func release(_ connection: UpstreamConnection) {
        eventLoop.assertInEventLoop()
        if connection.channel.isActive { idle.append(connection) }
    }
}

/// What receives one upstream response, part by part, on the pool's event loop.
protocol UpstreamResponseReceiver: AnyObject {
    func upstreamHead(_ head: HTTPResponseHead)
    func upstreamBody(_ bytes: ByteBuffer)
    func upstreamEnd()
    func upstreamFailed(_ error: any Error)
}

/// One upstream connection and the receiver of the response now in flight on it.
final class UpstreamConnection {
    let channel: any Channel
    let handler: Handler
    unowned let pool: UpstreamPool

    init(channel: any Channel, handler: Handler, pool: UpstreamPool) {
        self.channel = channel
        self.handler = handler
        self.pool = pool
    }

    /// Sends one request; its response goes to `receiver`, and the connection goes back to the
    /// pool once the response has ended and may be reused.
    func send(_ head: HTTPRequestHead, body: ByteBuffer?, to receiver: any UpstreamResponseReceiver) {
        handler.receiver = receiver
        handler.onEnd = { [self] reusable in
            if reusable { pool.release(self) } else { channel.close(promise: nil) }
        }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        var receiver: (any UpstreamResponseReceiver)?
        var onEnd: ((Bool) -> Void)?
        private var reusable = true

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                reusable = head.isKeepAlive
                receiver?.upstreamHead(head)
            case .body(let bytes):
                receiver?.upstreamBody(bytes)
            case .end:
                let receiver = self.receiver
                self.receiver = nil
                receiver?.upstreamEnd()
                onEnd?(reusable)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            fail(ChannelError.ioOnClosedChannel)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            fail(error)
            context.close(promise: nil)
        }

        private func fail(_ error: any Error) {
            let receiver = self.receiver
            self.receiver = nil
            receiver?.upstreamFailed(error)
        }
    }
}
