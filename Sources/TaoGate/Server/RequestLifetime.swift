import Hummingbird

/// How long the work of one request may go on: until the client leaves (its upstream call is
/// cancelled at once) and, once the server shuts down, for at most the shutdown grace period.
///
/// The work runs in the connection's own task, which `ConnectionLifetime` cancels when either
/// comes first: a request costs no child task, and no registration with the server's graceful
/// shutdown. A connection stopped this way answers nothing more after the answer in progress.
struct RequestLifetime {
    /// The server has been shutting down for longer than the grace period.
    struct ShutdownGraceExpired: Error {}

    /// The request's connection (nil for a router tested alone) and record: all it needs of the
    /// request context, which is not copied.
    private let connection: ConnectionLifetime?
    private let record: RequestRecord
    let shutdownGrace: Duration

    init(context: GatewayRequestContext, shutdownGrace: Duration) {
        self.connection = context.connection
        self.record = context.record
        self.shutdownGrace = shutdownGrace
    }

    /// Runs `operation` within the request's lifetime. Throws `CancellationError` when the client
    /// leaves and `ShutdownGraceExpired` when the grace period ends first.
    func run<Value: Sendable>(_ operation: () async throws -> Value) async throws -> Value {
        guard let connection else { return try await operation() }
        if let stopped = connection.begin(grace: shutdownGrace) { throw failure(stopped) }
        let value: Value
        do {
            value = try await operation()
        } catch {
            if let stopped = connection.end() { throw failure(stopped) }
            throw error
        }
        if let stopped = connection.end() { throw failure(stopped) }
        return value
    }

    private func failure(_ reason: ConnectionLifetime.StopReason) -> any Error {
        switch reason {
        case .clientGone:
            record.update { $0.clientGone = true }
            return CancellationError()
        case .graceExpired:
            return ShutdownGraceExpired()
        }
    }
}
