import NIOCore
import NIOPosix
import Synchronization

/// What ends the requests of one client connection early: the client leaving (its
/// `ClientCloseHandler` reports it) and the server's shutdown outlasting a request's grace period
/// (the connection's task reports the shutdown). Either cancels the connection's task while a
/// request's work runs in it (`RequestLifetime`), which cancels that work's upstream call.
///
/// A stopped connection answers no more requests: its client has gone, or the server is going.
/// So its task can be cancelled outright, and a request needs no child task of its own to cancel,
/// nor a registration with the server's graceful shutdown.
final class ConnectionLifetime: Sendable {
    /// Why a connection's work was stopped.
    enum StopReason: Sendable {
        case clientGone
        case graceExpired
    }

    private struct State {
        /// The task that answers the connection's requests.
        var task: Task<Void, Never>?
        var clientGone = false
        var shuttingDown = false
        /// How many `RequestLifetime.run`s are in progress (one, or one within another).
        var running = 0
        var grace = Duration.zero
        var graceTimer: Scheduled<Void>?
        /// Set once the task has been cancelled (or is to be, once it is known).
        var stopped: StopReason?
    }

    private let state = Mutex(State())

    /// The task to cancel; an early stop is carried out as soon as it is known.
    func answer(with task: Task<Void, Never>) {
        let stopped = state.withLock { state in
            state.task = task
            return state.stopped
        }
        if stopped != nil { task.cancel() }
    }

    /// The client closed its side, or the connection dropped.
    func clientLeft() {
        state.withLock { state -> Task<Void, Never>? in
            state.clientGone = true
            return state.running > 0 ? stop(&state, .clientGone) : nil
        }?.cancel()
    }

    /// The server began to shut down: the request in progress, and any after it, may go on for
    /// their grace period, from now or from their start.
    func shutdownBegan() {
        state.withLock { state in
            state.shuttingDown = true
            if state.running > 0 { startGraceTimer(&state) }
        }
    }

    /// A request's work begins, with `grace` to finish once the server shuts down. Returns why
    /// the connection has been stopped already, if it has: the work must not begin.
    func begin(grace: Duration) -> StopReason? {
        let (stopped, cancel) = state.withLock { state -> (StopReason?, Task<Void, Never>?) in
            if let stopped = state.stopped { return (stopped, nil) }
            if state.clientGone { return (.clientGone, stop(&state, .clientGone)) }
            state.running += 1
            if state.running == 1 {
                state.grace = grace
                if state.shuttingDown { startGraceTimer(&state) }
            }
            return (nil, nil)
        }
        cancel?.cancel()
        return stopped
    }

    /// The work has ended; returns why it was stopped, if it was.
    func end() -> StopReason? {
        let (stopped, timer) = state.withLock { state -> (StopReason?, Scheduled<Void>?) in
            state.running = max(0, state.running - 1)
            guard state.running == 0 else { return (state.stopped, nil) }
            defer { state.graceTimer = nil }
            return (state.stopped, state.graceTimer)
        }
        timer?.cancel()
        return stopped
    }

    /// Whether the connection's work has been stopped (it is to close after its answer).
    var isStopped: Bool { state.withLock { $0.stopped != nil } }

    /// Whether the answer being written is the connection's last: its work was stopped, or the
    /// server is shutting down (the connection is closed once the answer in progress is written).
    var closesAfterAnswer: Bool { state.withLock { $0.stopped != nil || $0.shuttingDown } }

    private func stop(_ state: inout State, _ reason: StopReason) -> Task<Void, Never>? {
        guard state.stopped == nil else { return nil }
        state.stopped = reason
        state.graceTimer?.cancel()
        state.graceTimer = nil
        return state.task
    }

    private func startGraceTimer(_ state: inout State) {
        guard state.graceTimer == nil, state.stopped == nil else { return }
        state.graceTimer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(state.grace)) {
            self.state.withLock { state -> Task<Void, Never>? in
                state.graceTimer = nil
                return state.running > 0 ? self.stop(&state, .graceExpired) : nil
            }?.cancel()
        }
    }
}
