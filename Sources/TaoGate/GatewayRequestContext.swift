import Hummingbird
import NIOCore

/// The request context of every TaoGate route: the client's address, and the record of what the
/// request did, which the controllers fill in and the log line reports.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public let record: RequestRecord

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.record = RequestRecord()
    }
}
