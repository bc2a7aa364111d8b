import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Runs `operation`, and cancels it once `limit` has passed, throwing `timeoutError()` then.
///
/// The timer is a task scheduled on an event loop and removed as soon as the operation ends.
/// A racing `Task.sleep` would do the same job, but a cancelled sleep keeps its timer until the
/// deadline: at thousands of calls a second with a 30 s limit that held over 100 MB.
public func withTimeLimit<Value: Sendable>(
    _ limit: Duration,
    timeoutError: @autoclosure @escaping @Sendable () -> any Error,
    _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let task = Task { try await operation() }
    let expired = NIOLockedValueBox(false)
    let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(limit)) {
        expired.withLockedValue { $0 = true }
        task.cancel()
    }
    defer { timer.cancel() }
    do {
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    } catch {
        if expired.withLockedValue({ $0 }) { throw timeoutError() }
        throw error
    }
}
