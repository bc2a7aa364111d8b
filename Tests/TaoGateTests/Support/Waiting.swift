import Foundation

/// Waits for `condition` (checked every 20 ms) up to `limit`; whether it came true.
func waitUntil(_ limit: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
