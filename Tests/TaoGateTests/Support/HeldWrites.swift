import NIOCore
import Synchronization

/// Holds the promises of the writes that pass, as a socket that has not taken the bytes yet
/// would, until `release`.
final class HeldWrites<Part>: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = Part
    private let promises = Mutex<[EventLoopPromise<Void>]>([])

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if let promise { promises.withLock { $0.append(promise) } }
        context.write(data, promise: nil)
    }

    func release() {
        let held = promises.withLock { promises in
            let held = promises
            promises = []
            return held
        }
        for promise in held { promise.succeed() }
    }
}
