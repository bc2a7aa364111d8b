import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOPosix

// The floors under TaoGate's transport, to choose it by (issue 14, step 1). Both relay a POST to
// one upstream through keep-alive connections that live on the event loop of the client's
// connection, and move the answer as ByteBuffers:
//
//   nio          SwiftNIO alone: an HTTP/1 server channel whose handler writes upstream bytes
//                straight to the client, with no task and no request object.
//   hummingbird  Hummingbird in (a task per request, as TaoGate has it) and that same client out.
//
// Beside `BareProxy` (Hummingbird in, AsyncHTTPClient out) these rows separate what the server
// and what the client cost. No parsing, logging, metrics, storage or routing.
//
//   BareRelay MODE PORT UPSTREAM_URL   e.g. BareRelay nio 18300 http://127.0.0.1:18080/v1/chat/completions

let arguments = CommandLine.arguments
let mode = arguments.count > 1 ? arguments[1] : "nio"
let port = arguments.count > 2 ? Int(arguments[2]) ?? 18300 : 18300
let upstreamURL = URL(string: arguments.count > 3 ? arguments[3] : "http://127.0.0.1:18080/v1/chat/completions")!
let upstreamHost = upstreamURL.host ?? "127.0.0.1"
let upstreamPort = upstreamURL.port ?? 80
let upstreamPath = upstreamURL.path

let group = MultiThreadedEventLoopGroup.singleton
var poolsByLoop: [ObjectIdentifier: UpstreamPool] = [:]
for loop in group.makeIterator() {
    poolsByLoop[ObjectIdentifier(loop)] = UpstreamPool(eventLoop: loop, host: upstreamHost, port: upstreamPort)
}
let pools = poolsByLoop

func upstreamRequestHead(bodyLength: Int) -> HTTPRequestHead {
    var headers = HTTPHeaders()
    headers.add(name: "Host", value: "\(upstreamHost):\(upstreamPort)")
    headers.add(name: "Content-Type", value: "application/json")
    headers.add(name: "Content-Length", value: String(bodyLength))
    return HTTPRequestHead(version: .http1_1, method: .POST, uri: upstreamPath, headers: headers)
}

/// The response headers worth passing on: everything but the hop-by-hop ones.
func relayedHeaders(_ headers: HTTPHeaders) -> HTTPHeaders {
    var relayed = HTTPHeaders()
    for (name, value) in headers {
        let lowered = name.lowercased()
        if lowered == "connection" || lowered == "keep-alive" { continue }
        relayed.add(name: name, value: value)
    }
    return relayed
}

switch mode {
case "nio": try runNIORelay()
case "hummingbird": try await runHummingbirdRelay()
default:
    FileHandle.standardError.write(Data("mode must be nio or hummingbird\n".utf8))
    exit(2)
}

// MARK: - SwiftNIO alone

/// Reads a client's request and relays the upstream's answer to it, part by part, on one loop.
final class RelayHandler: ChannelInboundHandler, UpstreamResponseReceiver {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let pool: UpstreamPool
    private var context: ChannelHandlerContext?
    private var keepAlive = true
    private var body: ByteBuffer?
    private var headSent = false

    init(pool: UpstreamPool) { self.pool = pool }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
            body = nil
            headSent = false
        case .body(var part):
            if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end:
            let body = self.body
            self.body = nil
            pool.acquire().whenComplete { result in
                switch result {
                case .success(let connection):
                    connection.send(upstreamRequestHead(bodyLength: body?.readableBytes ?? 0), body: body, to: self)
                case .failure(let error):
                    self.upstreamFailed(error)
                }
            }
        }
    }

    func upstreamHead(_ head: HTTPResponseHead) {
        var headers = relayedHeaders(head.headers)
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        headSent = true
        context?.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: head.status, headers: headers))), promise: nil)
    }

    func upstreamBody(_ bytes: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
    }

    func upstreamEnd() {
        guard let context else { return }
        let keepAlive = self.keepAlive
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }

    func upstreamFailed(_ error: any Error) {
        guard let context else { return }
        if headSent {
            context.close(promise: nil)
            return
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "0")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badGateway, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}

func runNIORelay() throws {
    let server = try ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 4096)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            let pool = pools[ObjectIdentifier(channel.eventLoop)]!
            return channel.pipeline.configureHTTPServerPipeline().flatMap {
                channel.pipeline.addHandler(RelayHandler(pool: pool))
            }
        }
        .bind(host: "127.0.0.1", port: port)
        .wait()
    try server.closeFuture.wait()
}

// MARK: - Hummingbird in, the same client out

struct RelayContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let eventLoop: any EventLoop

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.eventLoop = source.channel.eventLoop
    }
}

/// Hands an upstream answer from its event loop to the request's task.
final class BridgingReceiver: UpstreamResponseReceiver, @unchecked Sendable {
    let head: EventLoopPromise<HTTPResponseHead>
    let parts: AsyncThrowingStream<ByteBuffer, any Error>
    private let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation

    init(eventLoop: any EventLoop) {
        head = eventLoop.makePromise()
        (parts, continuation) = AsyncThrowingStream.makeStream()
    }

    func upstreamHead(_ head: HTTPResponseHead) { self.head.succeed(head) }
    func upstreamBody(_ bytes: ByteBuffer) { continuation.yield(bytes) }
    func upstreamEnd() { continuation.finish() }
    func upstreamFailed(_ error: any Error) {
        head.fail(error)
        continuation.finish(throwing: error)
    }
}

func runHummingbirdRelay() async throws {
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    let router = Router(context: RelayContext.self)
    router.post("/v1/chat/completions") { request, context -> Response in
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        let loop = context.eventLoop
        let pool = pools[ObjectIdentifier(loop)]!
        let receiver = BridgingReceiver(eventLoop: loop)
        loop.execute {
            pool.acquire().whenComplete { result in
                switch result {
                case .success(let connection):
                    connection.send(upstreamRequestHead(bodyLength: body.readableBytes), body: body, to: receiver)
                case .failure(let error):
                    receiver.upstreamFailed(error)
                }
            }
        }
        let head = try await receiver.head.futureResult.get()
        let contentType = head.headers.first(name: "content-type") ?? "application/json"
        if contentType.hasPrefix("text/event-stream") {
            return Response(
                status: .ok,
                headers: [.contentType: contentType],
                body: ResponseBody { writer in
                    for try await part in receiver.parts { try await writer.write(part) }
                    try await writer.finish(nil)
                }
            )
        }
        var answer = ByteBuffer()
        for try await var part in receiver.parts { answer.writeBuffer(&part) }
        return Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: answer))
    }
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    try await app.runService()
}
