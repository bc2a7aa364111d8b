import Foundation
import Logging
import SQLiteNIO
import Testing

@testable import TaoGate

/// The SQLite file the stores share: one connection, one unit of work at a time.
@Suite("SQLite database")
struct SQLiteDatabaseTests {
    @Test("A transaction whose task is cancelled midway still ends, and the next one begins")
    func cancelledTransactionStillEnds() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-cancel-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let database = try await SQLiteDatabase.open(path: folder.appendingPathComponent("t.sqlite").path, logger: logger)
        try await database.execute("CREATE TABLE numbers (n INTEGER)")

        var failure: (any Error)?
        do {
            // As a request's work is cancelled when its client leaves, between two statements.
            let cancelled = Task {
                try await database.transaction { unit in
                    try await unit.execute("INSERT INTO numbers VALUES (1)")
                    withUnsafeCurrentTask { $0?.cancel() }
                    try await unit.execute("INSERT INTO numbers VALUES (2)")
                }
            }
            _ = await cancelled.result
            try await database.transaction { unit in try await unit.execute("INSERT INTO numbers VALUES (3)") }

            let rows = try await database.query("SELECT n FROM numbers ORDER BY n")
            #expect(rows.compactMap { $0.column("n")?.integer } == [1, 2, 3])
        } catch {
            failure = error
        }
        try await database.close()  // before any failure ends the test: the driver insists
        if let failure { throw failure }
    }
}
