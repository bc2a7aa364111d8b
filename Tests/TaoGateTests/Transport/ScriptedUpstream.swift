import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A raw HTTP/1.1 server for transport tests: it reads each request (head and Content-Length
/// body) and answers with whatever bytes the test scripts, right or wrong, on 127.0.0.1.
final class ScriptedUpstream: Sendable {
    /// What to do with one request.
    enum Reply: Sendable {
        /// These bytes, then keep the connection open (or close it).
        case bytes(String, thenClose: Bool = false)
        /// Nothing at all, the connection left open.
        case silence
        /// These bytes, then nothing more, the connection left open.
        case bytesThenSilence(String)
        /// A `Content-Length` answer of this many bytes, written as fast as the client reads.
        case flood(bytes: Int)
        /// A chat stream (`text/event-stream`, `Content-Length`) of whole chunk events, at
        /// least this many bytes, written as fast as the client reads; it never sends `[DONE]`.
        case eventFlood(bytes: Int)
    }

    let port: Int
    private let channel: any Channel
    private let counters: Counters

    final class Counters: Sendable {
        let connections = Atomic(0)
        let closedConnections = Atomic(0)
        let requests = Atomic(0)
        /// Bytes of a flood the kernel has taken from the server.
        let floodedBytes = Atomic(0)
        /// Each request's head and body, as received, in order.
        let received = Mutex<[(head: String, body: String)]>([])
    }

    var connections: Int { counters.connections.load(ordering: .relaxed) }
    var closedConnections: Int { counters.closedConnections.load(ordering: .relaxed) }
    var requests: Int { counters.requests.load(ordering: .relaxed) }
    var floodedBytes: Int { counters.floodedBytes.load(ordering: .relaxed) }
    /// The heads of the requests received, in order (across connections).
    var heads: [String] { counters.received.withLock { $0.map(\.head) } }
    /// The bodies of the requests received, in order.
    var bodies: [String] { counters.received.withLock { $0.map(\.body) } }

    /// - Parameter reply: the answer to the n-th request (counted from 0 across connections).
    init(tls: NIOSSLContext? = nil, reply: @escaping @Sendable (_ request: Int, _ head: String) -> Reply) async throws {
        let counters = Counters()
        self.counters = counters
        channel = try await ServerBootstrap(group: TransportTestLoops.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 2048)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.addHandler(ScriptHandler(counters: counters, reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        port = channel.localAddress!.port!
    }

    func close() async { try? await channel.close() }
}

private final class ScriptHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let counters: ScriptedUpstream.Counters
    let reply: @Sendable (Int, String) -> ScriptedUpstream.Reply
    private var received = ByteBuffer()

    init(counters: ScriptedUpstream.Counters, reply: @escaping @Sendable (Int, String) -> ScriptedUpstream.Reply) {
        self.counters = counters
        self.reply = reply
    }

    func channelActive(context: ChannelHandlerContext) {
        counters.connections.add(1, ordering: .relaxed)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        counters.closedConnections.add(1, ordering: .relaxed)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        while let head = nextRequest() {
            let index = counters.requests.wrappingAdd(1, ordering: .relaxed).oldValue
            switch reply(index, head) {
            case .bytes(let text, let thenClose):
                let written = context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)))
                if thenClose { written.whenComplete { _ in context.close(promise: nil) } }
            case .silence:
                break
            case .bytesThenSilence(let text):
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
            case .flood(let total):
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\n\r\n")), promise: nil)
                flood(context: context, remaining: total, piece: Self.floodPiece)
            case .eventFlood(let atLeast):
                let pieces = (atLeast + Self.eventPiece.readableBytes - 1) / Self.eventPiece.readableBytes
                let total = pieces * Self.eventPiece.readableBytes
                let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: \(total)\r\n\r\n"
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: head)), promise: nil)
                flood(context: context, remaining: total, piece: Self.eventPiece)
            }
        }
    }

    private static let floodPiece = ByteBuffer(repeating: UInt8(ascii: "x"), count: 256 * 1024)

    /// About 256 KB of whole chat chunk events.
    private static let eventPiece: ByteBuffer = {
        let content = String(repeating: "x", count: 900)
        let event = #"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":""# + content + "\"}}]}\n\n"
        return ByteBuffer(string: String(repeating: event, count: 256 * 1024 / event.utf8.count))
    }()

    /// Writes the next piece once the last has gone, so the count says what the client took.
    private func flood(context: ChannelHandlerContext, remaining: Int, piece: ByteBuffer) {
        guard remaining > 0, context.channel.isActive else { return }
        let size = min(remaining, piece.readableBytes)
        let next = piece.getSlice(at: piece.readerIndex, length: size)!
        context.writeAndFlush(wrapOutboundOut(next)).whenSuccess { [counters] in
            counters.floodedBytes.add(size, ordering: .relaxed)
            self.flood(context: context, remaining: remaining - size, piece: piece)
        }
    }

    /// The next whole request's head, its body consumed, or nil until one has arrived.
    private func nextRequest() -> String? {
        let view = received.readableBytesView
        guard let end = view.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
        let headLength = end.upperBound - view.startIndex
        let head = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self)
        var bodyLength = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            bodyLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        guard received.readableBytes >= headLength + bodyLength else { return nil }
        let body = String(decoding: view.dropFirst(headLength).prefix(bodyLength), as: UTF8.self)
        counters.received.withLock { $0.append((head, body)) }
        received.moveReaderIndex(forwardBy: headLength + bodyLength)
        received.discardReadBytes()
        return head
    }
}

/// Event loops for the transport tests alone.
enum TransportTestLoops {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
}
