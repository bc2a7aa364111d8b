import ArgumentParser
import Foundation
import Logging
import TaoGate

/// `taogate migrate`: brings the database named by DATABASE_URL to the current schema.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or update the database schema (serve also does this at start)."
    )

    @Option(help: "The .env file to read.")
    var envFile: String = ".env"

    func run() async throws {
        try await withStores(envFile: envFile) { stores in
            printToStandardError("Database \(stores.location) is up to date.")
        }
    }
}
