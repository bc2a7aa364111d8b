import NIOCore
import Synchronization

/// Sits in each connection's pipeline and notices when the client closes its side (EOF) or the
/// connection drops, so that the request in progress can be cancelled at once.
///
/// Hummingbird's own `consumeWithCancellationOnInboundClose` closes the connection after every
/// response it wraps, which would cost keep-alive on every chat call; this keeps it.
final class ClientCloseHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    let lifetime = ConnectionLifetime()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent { lifetime.clientLeft() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        lifetime.clientLeft()
        context.fireChannelInactive()
    }
}
