import NIOCore
import NIOHTTP1

/// The end of an upstream connection's pipeline: carries one exchange at a time, and tells its
/// pool when the connection may be used again. A connection is reused only when its response was
/// read to the end, the request was written whole and neither side asked to close; on any doubt
/// (a parse error, a reader that stopped early, a timeout) it is closed instead.
///
/// The request goes out as bytes (`UpstreamRequestHead`, then the body), in one flush; SwiftNIO's
/// response decoder reads the answer, told of each request's method by `send` (see
/// `UpstreamResponseDecoder`).
final class UpstreamConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case idle
        case awaitingHead(UpstreamExchange)
        case readingBody(UpstreamExchange, keepAlive: Bool)
        case closed
    }

    private var state = State.idle
    private var context: ChannelHandlerContext?
    private let decoder: HTTPResponseDecoder
    private var requestWritten = false
    /// The body's reader is behind: reads wait until it catches up.
    private var paused = false
    private var readPending = false
    /// Told when the connection may carry another exchange. (Its pool learns of its closing
    /// from the channel's close future.)
    var onReusable: (() -> Void)?

    var isIdle: Bool {
        if case .idle = state { return context?.channel.isActive ?? false }
        return false
    }

    init(decoder: HTTPResponseDecoder) {
        self.decoder = decoder
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Sends the exchange's request on this connection.
    func send(_ exchange: UpstreamExchange) {
        guard let context, case .idle = state else {
            exchange.fail(.unreachable("the upstream connection was not ready"))
            return
        }
        let head: ByteBuffer
        do {
            head = try UpstreamRequestHead.encode(exchange.head, allocator: context.channel.allocator)
        } catch {
            // Nothing was sent: the connection goes back to its pool for the next request.
            exchange.fail(.unreachable("the request cannot be sent: \(error.reason)"))
            onReusable?()
            return
        }
        state = .awaitingHead(exchange)
        requestWritten = false
        resumeReading()
        exchange.carrier = self
        decoder.write(data: .head(exchange.head))
        let written = context.eventLoop.makePromise(of: Void.self)
        if let body = exchange.body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(head), promise: nil)
            context.writeAndFlush(wrapOutboundOut(body), promise: written)
        } else {
            context.writeAndFlush(wrapOutboundOut(head), promise: written)
        }
        written.futureResult.assumeIsolated().whenComplete { [weak self] result in
            guard let self else { return }
            switch result {
            case .success: self.requestWritten = true
            case .failure: self.abort(exchange, with: .unreachable("could not send the request to the upstream"))
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .awaitingHead(let exchange) = state else { return protocolDoubt("a response nobody asked for") }
            if head.status.code < 200 { return }  // 100 Continue and other interim answers
            state = .readingBody(exchange, keepAlive: head.isKeepAlive)
            exchange.received(head, connection: self)
        case .body(let bytes):
            guard case .readingBody(let exchange, _) = state else { return protocolDoubt("a body without a response") }
            if !exchange.received(bytes) { paused = true }
        case .end:
            guard case .readingBody(let exchange, let keepAlive) = state else { return protocolDoubt("an end without a response") }
            exchange.finish()
            if keepAlive && requestWritten {
                state = .idle
                // A read held back for the last reader must go out now: an idle connection
                // reads to notice the server closing it, and the next answer arrives by it.
                resumeReading()
                onReusable?()
            } else {
                close()
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        if paused {
            readPending = true
        } else {
            context.read()
        }
    }

    /// The reader has room again.
    func resumeReading() {
        paused = false
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    /// The body's reader is gone: if it left before the end, the rest is never read here.
    func readerLeft(_ exchange: UpstreamExchange) {
        if case .readingBody(let current, _) = state, current === exchange, !exchange.isFinished {
            abort(exchange, with: .unreachable("the body's reader stopped"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failCurrent(.unreachable("the upstream closed the connection"))
        state = .closed
        onReusable = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failCurrent(.unreachable("upstream connection failed: \(Self.describe(error))"))
        close()
    }

    /// Closes a connection that sat idle too long.
    func closeIdle() {
        if case .idle = state { close() }
    }

    /// Ends `exchange` early: when this connection carries it, the connection closes too.
    func abort(_ exchange: UpstreamExchange, with error: ProviderError) {
        switch state {
        case .awaitingHead(let current) where current === exchange, .readingBody(let current, _) where current === exchange:
            failCurrent(error)
            close()
        default:
            exchange.fail(error)
        }
    }

    private func protocolDoubt(_ what: String) {
        failCurrent(.invalidResponse("the upstream sent \(what)"))
        close()
    }

    private func failCurrent(_ error: ProviderError) {
        switch state {
        case .awaitingHead(let exchange), .readingBody(let exchange, _): exchange.fail(error)
        case .idle, .closed: break
        }
    }

    private func close() {
        if case .closed = state { return }
        state = .closed
        context?.close(promise: nil)
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPParserError { return "the answer is not valid HTTP (\(error))" }
        if let error = error as? IOError { return error.description }
        return String(describing: type(of: error))
    }
}

/// SwiftNIO's response decoder, without its watch over the pipeline's writes: the connection
/// writes bytes, not request parts, so it tells the decoder of each request itself (the decoder
/// needs the method to know whether an answer has a body, and refuses an answer to no request).
struct UpstreamResponseDecoder: ByteToMessageDecoder {
    typealias InboundOut = HTTPClientResponsePart

    let http: HTTPResponseDecoder

    func decoderAdded(context: ChannelHandlerContext) { http.decoderAdded(context: context) }

    func decoderRemoved(context: ChannelHandlerContext) { http.decoderRemoved(context: context) }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        try http.decode(context: context, buffer: &buffer)
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try http.decodeLast(context: context, buffer: &buffer, seenEOF: seenEOF)
    }
}
