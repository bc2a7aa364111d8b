import NIOCore
import NIOPosix
import Synchronization

/// An HTTP proxy for tests that understands only CONNECT: it notes the target it was asked for,
/// and tunnels every accepted tunnel to one fixed port on 127.0.0.1 (so tests can ask for any
/// host name). With `refuseWith`, it answers CONNECT with that status instead.
final class ConnectProxy: Sendable {
    let port: Int
    private let channel: any Channel
    private let record: Record

    final class Record: Sendable {
        let requests = Mutex<[String]>([])
    }

    /// The CONNECT requests' heads, in order.
    var requests: [String] { record.requests.withLock { $0 } }

    init(tunnelingTo upstreamPort: Int, refuseWith status: Int? = nil) async throws {
        let record = Record()
        self.record = record
        channel = try await ServerBootstrap(group: TransportTestLoops.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectHandler(upstreamPort: upstreamPort, refuseWith: status, record: record)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        port = channel.localAddress!.port!
    }

    func close() async { try? await channel.close() }
}

private final class ConnectHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let upstreamPort: Int
    let refuseWith: Int?
    let record: ConnectProxy.Record
    private var head = ByteBuffer()
    private var peer: (any Channel)?
    private var pending: [ByteBuffer] = []
    private var connecting = false

    init(upstreamPort: Int, refuseWith: Int?, record: ConnectProxy.Record) {
        self.upstreamPort = upstreamPort
        self.refuseWith = refuseWith
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if let peer {
            peer.writeAndFlush(bytes, promise: nil)
            return
        }
        if connecting {
            pending.append(bytes)
            return
        }
        head.writeBuffer(&bytes)
        let view = head.readableBytesView
        guard let end = view.firstRange(of: [13, 10, 13, 10]) else { return }
        let text = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self)
        record.requests.withLock { $0.append(text) }
        if let refuseWith {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 \(refuseWith) Refused\r\nContent-Length: 0\r\n\r\n")))
                .whenComplete { _ in context.close(promise: nil) }
            return
        }
        connecting = true
        let client = context.channel
        ClientBootstrap(group: context.eventLoop)
            .channelInitializer { upstream in
                upstream.eventLoop.makeCompletedFuture {
                    try upstream.pipeline.syncOperations.addHandler(BackHandler(client: client))
                }
            }
            .connect(host: "127.0.0.1", port: upstreamPort)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let upstream):
                    self.peer = upstream
                    context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")), promise: nil)
                    for part in self.pending { upstream.writeAndFlush(part, promise: nil) }
                    self.pending = []
                case .failure:
                    context.close(promise: nil)
                }
            }
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer?.close(promise: nil)
        context.fireChannelInactive()
    }
}

/// Writes what the upstream sends back to the proxy's client.
private final class BackHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let client: any Channel

    init(client: any Channel) { self.client = client }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        client.close(promise: nil)
        context.fireChannelInactive()
    }
}
