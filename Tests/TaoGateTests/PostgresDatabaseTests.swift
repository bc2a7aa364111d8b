import Foundation
import Logging
import PostgresNIO
import Testing

@testable import TaoGate

/// The PostgreSQL database the stores share in a cluster.
@Suite("PostgreSQL database", .enabled(if: TestPostgres.isAvailable))
struct PostgresDatabaseTests {
    @Test("A transaction whose task is cancelled midway is all or nothing, and the next one commits")
    func cancelledTransactionIsAtomic() async throws {
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let database = try await PostgresDatabase.open(url: try await TestPostgres.freshDatabaseURL(), logger: logger)
        defer { database.close() }
        try await database.query("CREATE TABLE numbers (n BIGINT)")

        // As a request's work is cancelled when its client leaves, between two statements.
        let cancelled = Task {
            try await database.transaction { connection in
                try await connection.query("INSERT INTO numbers VALUES (1)", logger: logger)
                withUnsafeCurrentTask { $0?.cancel() }
                try await connection.query("INSERT INTO numbers VALUES (2)", logger: logger)
            }
        }
        _ = await cancelled.result
        try await database.transaction { connection in
            try await connection.query("INSERT INTO numbers VALUES (3)", logger: logger)
        }

        let numbers = try await database.query("SELECT n FROM numbers ORDER BY n").decode(Int.self)
        #expect(numbers == [1, 2, 3] || numbers == [3])
    }
}
