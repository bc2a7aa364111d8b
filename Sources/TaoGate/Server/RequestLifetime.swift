import Hummingbird
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// How long the work of one request may go on: until the client leaves (its upstream call is
/// cancelled at once, and keep-alive is unaffected), and, once the server shuts down, for at most
/// the shutdown grace period.
///
/// The work runs in one child task. The client's leaving and the end of the grace period arrive
/// as callbacks (from the connection's close handler, from graceful shutdown and an event-loop
/// timer), so a request costs no task of its own to watch for them.
struct RequestLifetime {
    /// The server has been shutting down for longer than the grace period.
    struct ShutdownGraceExpired: Error {}

    let context: GatewayRequestContext
    let shutdownGrace: Duration

    /// Runs `operation` within the request's lifetime. Throws `CancellationError` when the client
    /// leaves and `ShutdownGraceExpired` when the grace period ends first.
    func run<Value: Sendable>(_ operation: () async throws -> Value) async throws -> Value {
        let signal = context.closeSignal
        let grace = shutdownGrace
        return try await withoutActuallyEscaping(operation) { operation in
            // The operation runs in a child task while this task waits for it, so the two never
            // touch its captures at the same time.
            let transfer = UncheckedTransfer(operation)
            let watch = LifetimeWatch()
            defer { watch.close() }
            return try await withThrowingTaskGroup(of: Value.self) { group in
                group.addTask {
                    defer { watch.operationEnded() }
                    return try await transfer.value()
                }
                let callback = signal?.onFire { watch.stop(.clientGone) }
                defer { if let signal, let callback { signal.removeCallback(callback) } }
                await withGracefulShutdownHandler {
                    await watch.untilEndedOrStopped()
                } onGracefulShutdown: {
                    watch.stop(.graceExpired, after: grace)
                }
                switch watch.stopReason {
                case nil:
                    return try await group.next()!
                case .clientGone:
                    group.cancelAll()
                    _ = try? await group.next()
                    context.record.update { $0.clientGone = true }
                    throw CancellationError()
                case .graceExpired:
                    group.cancelAll()
                    _ = try? await group.next()
                    throw ShutdownGraceExpired()
                }
            }
        }
    }
}

/// What ends a request's wait: its operation ending, or a reason to stop it first.
private final class LifetimeWatch: Sendable {
    enum StopReason: Sendable {
        case clientGone
        case graceExpired
    }

    private struct State {
        var ended = false
        var stopReason: StopReason?
        var waiter: CheckedContinuation<Void, Never>?
        var graceTimer: Scheduled<Void>?
        var closed = false
    }

    private let state = Mutex(State())

    var stopReason: StopReason? { state.withLock { $0.stopReason } }

    func operationEnded() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.ended = true
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }

    /// Stops the request for `reason`, unless its operation has ended already.
    func stop(_ reason: StopReason) {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.ended, state.stopReason == nil else { return nil }
            state.stopReason = reason
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }

    /// Stops the request for `reason` once `delay` has passed (an event-loop timer, cancelled
    /// when the request ends).
    func stop(_ reason: StopReason, after delay: Duration) {
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(delay)) { self.stop(reason) }
        let cancelNow = state.withLock { state -> Bool in
            if state.closed { return true }
            state.graceTimer = timer
            return false
        }
        if cancelNow { timer.cancel() }
    }

    func untilEndedOrStopped() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.ended || state.stopReason != nil { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func close() {
        state.withLock { state -> Scheduled<Void>? in
            state.closed = true
            defer { state.graceTimer = nil }
            return state.graceTimer
        }?.cancel()
    }
}

/// Moves a value into a child task that the caller awaits; see `RequestLifetime.run`.
private struct UncheckedTransfer<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
