import HTTPTypes
import Hummingbird
import NIOCore

extension Response {
    /// The headers of every event stream TaoGate sends.
    static let eventStreamHeaders: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"]

    /// A server-sent event stream whose `relay` runs within the request's lifetime: a client that
    /// leaves stops it (and is told nothing), and a failure after the first byte ends it with
    /// the dialect's error event.
    static func eventStream(
        context: GatewayRequestContext,
        shutdownGrace: Duration,
        errors dialect: ErrorDialect,
        language: Language = .english,
        relay: @escaping @Sendable @concurrent (inout any ResponseBodyWriter) async throws -> Void
    ) -> Response {
        Response(
            status: .ok,
            headers: eventStreamHeaders,
            body: ResponseBody { writer in
                do {
                    try await RequestLifetime(context: context, shutdownGrace: shutdownGrace).run { @concurrent in try await relay(&writer) }
                } catch is CancellationError {
                    // The client has gone: there is no one left to tell.
                } catch {
                    try await writer.write(dialect.streamEvent(for: context.failure(for: error), language: language))
                }
                try await writer.finish(nil)
            }
        )
    }
}
