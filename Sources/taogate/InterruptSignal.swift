import ArgumentParser
import AsyncHTTPClient
import Foundation
import LLMClient
import NIOCore
import NIOHTTP1
import Synchronization

/// Turns Ctrl-C into the cancellation of the current answer instead of the end of the program;
/// with no answer running, Ctrl-C ends the session as usual.
final class InterruptSignal {
    /// The answer running now, shared with the signal handler.
    private final class Current: Sendable {
        let task = Mutex<Task<Void, any Error>?>(nil)
    }

    private let source: any DispatchSourceSignal
    private let current = Current()

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let current = self.current
        source.setEventHandler {
            if let task = current.task.withLock({ $0 }) { task.cancel() } else { Foundation.exit(130) }
        }
        source.resume()
    }

    /// Runs `operation` so that Ctrl-C cancels it.
    func cancelling(_ operation: @escaping @Sendable () async throws -> Void) async throws {
        let task = Task { try await operation() }
        current.task.withLock { $0 = task }
        defer { current.task.withLock { $0 = nil } }
        try await task.value
    }
}
