import Foundation
import Testing

@testable import LLMClient

@Suite("Time limits")
struct TimeLimitTests {
    struct TooSlow: Error {}

    @Test("An operation within its limit gives its value")
    func withinLimit() async throws {
        let value = try await withTimeLimit(.seconds(5), timeoutError: TooSlow()) { 42 }
        #expect(value == 42)
    }

    @Test("An operation past its limit is cancelled and the timeout error thrown")
    func pastLimit() async throws {
        let started = ContinuousClock.now
        await #expect(throws: TooSlow.self) {
            try await withTimeLimit(.milliseconds(50), timeoutError: TooSlow()) {
                try await Task.sleep(for: .seconds(30))
            }
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("An operation that ignores cancellation still ends the wait at the limit")
    func uncancellableOperationIsLeftBehind() async throws {
        let started = ContinuousClock.now
        await #expect(throws: TooSlow.self) {
            try await withTimeLimit(.milliseconds(50), timeoutError: TooSlow()) {
                // Ends after 30 s whatever cancellation says, as a driver that never looks at it.
                await withCheckedContinuation { continuation in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 30) { continuation.resume() }
                }
            }
        }
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test("An operation's own error passes through unchanged")
    func ownErrorPassesThrough() async throws {
        struct Broken: Error {}
        await #expect(throws: Broken.self) {
            try await withTimeLimit(.seconds(5), timeoutError: TooSlow()) { throw Broken() }
        }
    }

    @Test("Cancelling the caller cancels the operation")
    func callerCancellationReachesTheOperation() async throws {
        let task = Task {
            try await withTimeLimit(.seconds(30), timeoutError: TooSlow()) {
                try await Task.sleep(for: .seconds(30))
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
