import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// TaoGate's client connections: HTTP/1.1 parsed by SwiftNIO's request decoder, each request
/// answered by the route table, one at a time, by one task per connection.
///
/// Hummingbird's own channel reads and writes through `NIOAsyncChannel`, whose inbound stream and
/// outbound writer cost a sixth of a `/v1` request's CPU, and five handlers between the decoder
/// and the request (BENCHMARKS.md). Here one handler (`ClientConnectionHandler`) collects whole
/// requests into a `RequestInbox` and keeps the connection's limits, and the answer is written
/// to the channel as bytes (`ChannelResponseWriter`), a stream's every write awaited so that a
/// slow client slows the upstream read. The request, the response and the request context are
/// Hummingbird's; the route table is `GatewayRouter`, on Hummingbird's router.
struct GatewayHTTPChannel: ServerChildChannel {
    final class Connection: ServerChildChannelValue {
        let channel: any Channel
        let inbox: RequestInbox
        /// Tells the request in progress when the client leaves or the server shuts down.
        let lifetime: ConnectionLifetime

        init(channel: any Channel, inbox: RequestInbox, lifetime: ConnectionLifetime) {
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

    let responder: GatewayResponder
    /// Finishes each request once its answer is written.
    let completion: RequestCompletion
    let serverName: String
    let limits: ClientConnectionHandler.Limits
    let metrics: GatewayMetrics?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Connection> {
        channel.eventLoop.makeCompletedFuture {
            let handler = ClientConnectionHandler(limits: limits, metrics: metrics)
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
            try pipeline.addHandler(handler)
            return Connection(channel: channel, inbox: handler.inbox, lifetime: handler.lifetime)
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
                connection.lifetime.shutdownBegan()
            }
        }
        connection.lifetime.answer(with: task)
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
                let badRequest = Response(status: .badRequest)
                let context = AnswerContext(method: .get, closesConnection: true, date: HTTPDate.now, server: serverName)
                try? await ChannelResponseWriter(channel: connection.channel, context: context).write(badRequest)
                break loop
            }
        }
        try? await connection.channel.close()
    }

    /// Answers one request; false when the connection is to close after it.
    private func answer(_ head: RequestInbox.Head, body: ByteBuffer, on connection: Connection, logger: Logger) async -> Bool {
        let channel = connection.channel
        let start = ContinuousClock.now
        let request = Request(head: head.request, body: RequestBody(buffer: body))
        var context = GatewayRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
        context.connection = connection.lifetime
        context.receivedBody = body
        let response: Response
        do {
            response = try await responder.answer(request, context: context)
        } catch {
            logger.debug("Unrecognised Error", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            response = Response(status: .internalServerError)
        }
        // The client learns that this connection ends with this answer (a stream's head may have
        // gone before the shutdown began; the connection still closes after it).
        let closing =
            !head.keepsAlive || ConnectionHeader.asksToClose(response.headers.value(of: .connection))
            || connection.lifetime.closesAfterAnswer
        let answer = AnswerContext(
            method: head.request.method,
            isHTTP10: head.isHTTP10,
            closesConnection: closing,
            date: HTTPDate.now,
            server: serverName
        )
        do {
            let framing = try await completion.deliver(response, to: request, context: context, start: start) {
                try await ChannelResponseWriter(channel: channel, context: answer).write(response)
            }
            return !closing && framing != .untilClose && !connection.lifetime.isStopped
        } catch {
            return false
        }
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
    static func gateway(
        responder: GatewayResponder,
        completion: RequestCompletion,
        serverName: String,
        limits: ClientConnectionHandler.Limits,
        metrics: GatewayMetrics?
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { _ in
            GatewayHTTPChannel(responder: responder, completion: completion, serverName: serverName, limits: limits, metrics: metrics)
        }
    }
}
