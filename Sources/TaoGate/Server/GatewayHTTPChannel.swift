import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import ServiceLifecycle

/// TaoGate's client connections: HTTP/1.1 parsed by SwiftNIO as Hummingbird's `HTTP1Channel`
/// parses it, each request answered by the route table, one at a time, by one task per
/// connection.
///
/// Hummingbird's own channel reads and writes through `NIOAsyncChannel`, whose inbound stream and
/// outbound writer cost a sixth of a `/v1` request's CPU (BENCHMARKS.md). Here the pipeline's
/// last handler (`RequestReader`) collects whole requests into a `RequestInbox`, and the answer
/// is written to the channel directly (`ChannelResponseWriter`), a stream's every write
/// awaited so that a slow client slows the upstream read. Idle timeouts and graceful shutdown
/// are Hummingbird's (`HTTPConnectionStateHandler`); the route table, its middleware and the
/// request context are unchanged.
struct GatewayHTTPChannel<Responder: HTTPResponder>: ServerChildChannel where Responder.Context == GatewayRequestContext {
    final class Connection: ServerChildChannelValue {
        let channel: any Channel
        let inbox: RequestInbox
        /// Tells the request in progress when the client leaves or the server shuts down; found
        /// once here rather than in the pipeline per request.
        let lifetime: ConnectionLifetime?

        init(channel: any Channel, inbox: RequestInbox, lifetime: ConnectionLifetime?) {
            self.channel = channel
            self.inbox = inbox
            self.lifetime = lifetime
        }

        // The server drops a connection it accepted as it began to shut down without handing it
        // to `handle`; left open, its request would never be answered and the shutdown would
        // wait for it forever. (After `handle` the channel is closed already.)
        deinit {
            channel.close(promise: nil)
        }
    }

    let responder: Responder
    let serverName: String
    let maxBodyBytes: Int
    let idleTimeout: Duration?
    /// Handlers of TaoGate's own between the HTTP codec and the request reader.
    let additionalHandlers: @Sendable () -> [any RemovableChannelHandler]

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Connection> {
        channel.eventLoop.makeCompletedFuture {
            let inbox = RequestInbox()
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,
                withErrorHandling: false,
                withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: .init()
            )
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            let handlers = additionalHandlers()
            try pipeline.addHandlers(handlers)
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: idleTimeout, logger: logger))
            try pipeline.addHandler(RequestReader(inbox: inbox, maxBodyBytes: maxBodyBytes))
            let lifetime = handlers.lazy.compactMap { ($0 as? ClientCloseHandler)?.lifetime }.first
            return Connection(channel: channel, inbox: inbox, lifetime: lifetime)
        }
    }

    func handle(value connection: Connection, logger: Logger) async {
        // A task of its own, so that the connection's lifetime can cancel it: the client that
        // leaves, or a shutdown that outlasts the grace period, stops the work in progress.
        let task = Task(executorPreference: EventLoopTaskExecutor(connection.channel.eventLoop)) {
            // One registration per connection: its requests learn of the shutdown from it.
            await withGracefulShutdownHandler {
                await answerRequests(on: connection, logger: logger)
            } onGracefulShutdown: {
                connection.lifetime?.shutdownBegan()
            }
        }
        connection.lifetime?.answer(with: task)
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            connection.inbox.finish()
            task.cancel()
        }
    }

    private func answerRequests(on connection: Connection, logger: Logger) async {
            loop: while let item = await connection.inbox.next() {
                switch item {
                case .request(let head, let body):
                    guard await answer(head, body: body, on: connection, logger: logger) else { break loop }
                case .malformed:
                    logger.debug("HTTP parse error, closing connection")
                    let badRequest = Response(status: .badRequest, headers: [.connection: "close"])
                    try? await ChannelResponseWriter(channel: connection.channel).write(badRequest)
                    break loop
                }
            }
            try? await connection.channel.close()
    }

    /// Answers one request; false when the connection is to close after it.
    private func answer(_ head: HTTPRequest, body: ByteBuffer, on connection: Connection, logger: Logger) async -> Bool {
        let channel = connection.channel
        let request = Request(head: head, body: RequestBody(buffer: body))
        var context = GatewayRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
        context.connection = connection.lifetime
        context.receivedBody = body
        var response: Response
        do {
            response = try await responder.respond(to: request, context: context)
        } catch {
            logger.debug("Unrecognised Error", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            response = Response(status: .internalServerError)
        }
        response.headers[.date] = HTTPDate.now
        response.headers[.server] = serverName
        // The client learns that this connection ends with this answer (a stream's head may have
        // gone before the shutdown began; the connection still closes after it).
        if connection.lifetime?.closesAfterAnswer == true { response.headers[.connection] = "close" }
        do {
            try await ChannelResponseWriter(channel: channel).write(response)
        } catch {
            return false
        }
        return !ConnectionHeader.asksToClose(head.headerFields.value(of: .connection)) && !ConnectionHeader.asksToClose(response.headers.value(of: .connection))
            && connection.lifetime?.isStopped != true
    }
}

enum ConnectionHeader {
    /// Whether a `Connection` header holds the `close` option.
    static func asksToClose(_ connection: String?) -> Bool {
        guard let connection else { return false }
        if connection == "close" { return true }
        return connection.split(separator: ",").contains { $0.trimmingWhitespace.lowercased() == "close" }
    }
}

extension HTTPServerBuilder {
    /// TaoGate's HTTP/1.1 server (see `GatewayHTTPChannel`). The responder Hummingbird's
    /// `Application` offers its server is not used: requests go to `responder` directly.
    static func gateway<Responder: HTTPResponder>(
        responder: Responder,
        serverName: String,
        maxBodyBytes: Int,
        idleTimeout: Duration?,
        additionalHandlers: @escaping @Sendable () -> [any RemovableChannelHandler]
    ) -> HTTPServerBuilder where Responder.Context == GatewayRequestContext {
        HTTPServerBuilder { _ in
            GatewayHTTPChannel(
                responder: responder,
                serverName: serverName,
                maxBodyBytes: maxBodyBytes,
                idleTimeout: idleTimeout,
                additionalHandlers: additionalHandlers
            )
        }
    }
}
