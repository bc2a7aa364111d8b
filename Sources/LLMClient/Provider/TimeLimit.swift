import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Runs `operation`, and cancels it once `limit` has passed, throwing `timeoutError()` then.
///
/// The caller waits at most `limit`, even for an operation that does not stop when cancelled
/// (a database driver waiting for a connection that will never come, say): the operation is
/// cancelled and left to end on its own. The timer is a task scheduled on an event loop and
/// removed as soon as the operation ends. A racing `Task.sleep` would do the same job, but a
/// cancelled sleep keeps its timer until the deadline: at thousands of calls a second with a
/// 30 s limit that held over 100 MB.
public func withTimeLimit<Value: Sendable>(
    _ limit: Duration,
    timeoutError: @autoclosure @escaping @Sendable () -> any Error,
    _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let outcome = FirstOutcome<Value>()
    let task = Task {
        do {
            outcome.settle(.success(try await operation()))
        } catch {
            outcome.settle(.failure(error))
        }
    }
    let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(limit)) {
        outcome.settle(.failure(timeoutError()))
        task.cancel()
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        try await outcome.value
    } onCancel: {
        task.cancel()
    }
}

/// The first of the operation's result and the timeout, handed to whoever waits for it.
private final class FirstOutcome<Value: Sendable>: Sendable {
    private enum State {
        case pending(CheckedContinuation<Value, any Error>?)
        case settled(Result<Value, any Error>)
    }

    private let state = NIOLockedValueBox(State.pending(nil))

    /// Settles the outcome, unless it is settled already.
    func settle(_ result: Result<Value, any Error>) {
        let waiting = state.withLockedValue { state -> CheckedContinuation<Value, any Error>? in
            guard case .pending(let continuation) = state else { return nil }
            state = .settled(result)
            return continuation
        }
        waiting?.resume(with: result)
    }

    var value: Value {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let settled = state.withLockedValue { state -> Result<Value, any Error>? in
                    switch state {
                    case .settled(let result):
                        return result
                    case .pending:
                        state = .pending(continuation)
                        return nil
                    }
                }
                if let settled { continuation.resume(with: settled) }
            }
        }
    }
}
