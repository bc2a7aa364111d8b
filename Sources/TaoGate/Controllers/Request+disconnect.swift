import Hummingbird
import NIOCore

extension GatewayRequestContext {
    /// Runs `operation`, cancelling it as soon as the client closes its connection, so that an
    /// abandoned request stops its upstream call at once (closing that upstream connection)
    /// instead of running to the end. Keep-alive is unaffected.
    func cancellingOnClientDisconnect<Value: Sendable>(_ operation: () async throws -> Value) async throws -> Value {
        guard let signal = await clientCloseSignal() else { return try await operation() }
        return try await withoutActuallyEscaping(operation) { operation in
            // The operation runs in a child task while this task waits for it, so the two never
            // touch its captures at the same time.
            let transfer = UncheckedTransfer(operation)
            return try await withThrowingTaskGroup(of: Value?.self) { group in
                group.addTask { try await transfer.value() }
                group.addTask {
                    await signal.wait()
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else {
                    record.update { $0.clientGone = true }
                    throw CancellationError()
                }
                return value
            }
        }
    }

    private func clientCloseSignal() async -> ConnectionCloseSignal? {
        guard let channel else { return nil }
        return try? await channel.pipeline.handler(type: ClientCloseHandler.self).map(\.signal).get()
    }
}

/// Moves a value into a child task that the caller awaits; see `cancellingOnClientDisconnect`.
private struct UncheckedTransfer<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
