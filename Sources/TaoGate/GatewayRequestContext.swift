import Hummingbird
import NIOCore

/// The request context of every TaoGate route: the client's address, and the record of what the
/// request did, which the controllers fill in and the log line reports.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The connection, to notice when its client leaves.
    let channel: (any Channel)?
    public let record: RequestRecord
    /// Which configured client key authenticated the request (`key-1`, …), when keys are required.
    public var clientKeyID: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
        self.record = RequestRecord()
    }

    /// Where a user's conversation is stored: scoped by client key, so one key cannot read
    /// another key's history.
    func conversationID(for userID: String) -> String {
        clientKeyID.map { "\($0)/\(userID)" } ?? userID
    }
}
