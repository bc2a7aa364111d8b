import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import TaoGate

@Suite("The database's lifetime")
struct StoresServiceTests {
    /// Writes one message a moment after it is stopped, as the usage recorder writes its last rows.
    struct LastWriter: Service {
        final class Outcome: Sendable {
            let wrote = Mutex<Bool?>(nil)
        }

        let stores: GatewayStores
        let outcome: Outcome

        func run() async throws {
            try? await Task.sleep(for: .seconds(60))  // until cancelled
            let stores = self.stores
            let wrote = await Task {
                try? await Task.sleep(for: .milliseconds(200))
                do {
                    try await stores.conversations.append([StoredMessage(role: "user", content: "last")], to: "u", keepingLast: 10)
                    return true
                } catch {
                    return false
                }
            }.value
            outcome.wrote.withLock { $0 = wrote }
        }
    }

    @Test("On cancellation the database closes only after the services that use it have stopped")
    func databaseOutlivesItsUsers() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let stores = try await GatewayStores.open(.sqlite(path: folder.appendingPathComponent("t.sqlite").path), logger: quiet)
        let outcome = LastWriter.Outcome()
        let service = StoresService(stores: stores, users: [LastWriter(stores: stores, outcome: outcome)], logger: quiet)
        let running = Task { try await service.run() }
        try await Task.sleep(for: .milliseconds(100))
        running.cancel()
        _ = try? await running.value
        #expect(outcome.wrote.withLock { $0 } == true)
    }
}
