import Hummingbird
import NIOCore

extension Response {
    /// A server-sent event stream whose `relay` runs within the request's lifetime: a client that
    /// leaves stops it (and is told nothing), and a failure after the first byte ends it with
    /// `errorEvent` of the documented error.
    static func eventStream(
        context: GatewayRequestContext,
        shutdownGrace: Duration,
        errorEvent: @escaping @Sendable (GatewayError) -> ByteBuffer,
        relay: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void
    ) -> Response {
        Response(
            status: .ok,
            headers: StreamEvents.headers,
            body: ResponseBody { writer in
                do {
                    try await RequestLifetime(context: context, shutdownGrace: shutdownGrace).run { try await relay(&writer) }
                } catch is CancellationError {
                    // The client has gone: there is no one left to tell.
                } catch {
                    try await writer.write(errorEvent(context.failure(for: error)))
                }
                try await writer.finish(nil)
            }
        )
    }
}
