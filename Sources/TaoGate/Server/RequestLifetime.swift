import Hummingbird
import NIOCore
import ServiceLifecycle

/// How long the work of one request may go on: until the client leaves (its upstream call is
/// cancelled at once, and keep-alive is unaffected), and, once the server shuts down, for at most
/// the shutdown grace period.
struct RequestLifetime {
    /// The server has been shutting down for longer than the grace period.
    struct ShutdownGraceExpired: Error {}

    let context: GatewayRequestContext
    let shutdownGrace: Duration

    /// Runs `operation` within the request's lifetime. Throws `CancellationError` when the client
    /// leaves and `ShutdownGraceExpired` when the grace period ends first.
    func run<Value: Sendable>(_ operation: () async throws -> Value) async throws -> Value {
        let signal = await clientCloseSignal()
        let grace = shutdownGrace
        return try await withoutActuallyEscaping(operation) { operation in
            // The operation runs in a child task while this task waits for it, so the two never
            // touch its captures at the same time.
            let transfer = UncheckedTransfer(operation)
            return try await withThrowingTaskGroup(of: Outcome<Value>.self) { group in
                group.addTask { .finished(try await transfer.value()) }
                if let signal {
                    group.addTask {
                        await signal.wait()
                        return .clientGone
                    }
                }
                group.addTask {
                    try await gracefulShutdown()
                    try await Task.sleep(for: grace)
                    return .graceExpired
                }
                defer { group.cancelAll() }
                switch try await group.next()! {
                case .finished(let value):
                    return value
                case .clientGone:
                    context.record.update { $0.clientGone = true }
                    throw CancellationError()
                case .graceExpired:
                    throw ShutdownGraceExpired()
                }
            }
        }
    }

    private enum Outcome<Value: Sendable>: Sendable {
        case finished(Value)
        case clientGone
        case graceExpired
    }

    private func clientCloseSignal() async -> ConnectionCloseSignal? {
        guard let channel = context.channel else { return nil }
        // On the connection's own event loop (the usual case once tasks run on event loops) the
        // handler is found at once; elsewhere the lookup hops to that loop.
        if channel.eventLoop.inEventLoop {
            return try? channel.pipeline.syncOperations.handler(type: ClientCloseHandler.self).signal
        }
        return try? await channel.pipeline.handler(type: ClientCloseHandler.self).map(\.signal).get()
    }
}

/// Moves a value into a child task that the caller awaits; see `RequestLifetime.run`.
private struct UncheckedTransfer<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
