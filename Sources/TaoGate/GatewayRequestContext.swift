import Hummingbird
import Logging
import NIOCore

/// The request context of every TaoGate route: the client's address, the key it presented, and
/// the record of what the request did, which the controllers and the model router fill in and
/// the log line, the usage rows and the metrics report.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// What ends the connection's requests early: the client leaving, the server shutting
    /// down (set by `GatewayHTTPChannel`; nil for a router tested alone, whose work then has no
    /// early end).
    var connection: ConnectionLifetime?
    public let record: RequestRecord
    /// The client key that authenticated the request, when keys are in use.
    public var clientKey: ClientKeys.Identity?
    /// The request's body as its connection read it, whole (up to MAX_BODY_BYTES and one byte
    /// more), before the request was answered; nil for a router tested alone.
    var receivedBody: ByteBuffer?
    /// A model route's JSON body, read and scanned once by `JSONBodyReader`.
    var json: (body: ByteBuffer, fields: InboundBody)?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.record = RequestRecord()
    }

    /// The documented failure for `error`, noted in the request's record; an unexpected one is
    /// logged with its type.
    func failure(for error: any Error) -> GatewayError {
        let failure = GatewayError(describing: error)
        if failure.code == .internalError, !(error is GatewayError) {
            logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
        }
        record.update {
            $0.errorCode = failure.code.rawValue
            $0.errorDetails = failure.details
            $0.upstreamErrorType = failure.upstreamType.map { String($0.prefix(64)) }
            $0.upstreamErrorCode = failure.upstreamCode.map { String($0.prefix(64)) }
        }
        return failure
    }

    /// Where a user's conversation is stored: scoped by client key, so one key cannot read
    /// another key's history.
    func conversationID(for userID: String) -> String {
        clientKey.map { "\($0.id)/\(userID)" } ?? userID
    }
}
