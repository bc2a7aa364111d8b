import Foundation

/// The PostgreSQL server the tests may use: TAOGATE_TEST_POSTGRES_URL, which scripts/test (and so
/// CI) sets by starting a throwaway cluster. Each test gets a database of its own.
enum TestPostgres {
    static let serverURL = ProcessInfo.processInfo.environment["TAOGATE_TEST_POSTGRES_URL"]

    static var isAvailable: Bool { serverURL != nil }

    /// Creates a new, empty database and returns its URL.
    static func freshDatabaseURL() async throws -> String {
        guard let serverURL, var components = URLComponents(string: serverURL) else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "TAOGATE_TEST_POSTGRES_URL is not set"])
        }
        let name = "taogate_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await psql(serverURL, "CREATE DATABASE \(name)")
        components.path = "/" + name
        return components.string!
    }

    /// Drops a database, closing its connections (the server "goes away" for it).
    static func drop(_ databaseURL: String) async throws {
        try await psql(serverURL!, "DROP DATABASE IF EXISTS \(databaseName(databaseURL)) WITH (FORCE)")
    }

    /// Creates (again) the database of a URL.
    static func create(_ databaseURL: String) async throws {
        try await psql(serverURL!, "CREATE DATABASE \(databaseName(databaseURL))")
    }

    private static func databaseName(_ url: String) -> String {
        String(URLComponents(string: url)!.path.dropFirst())
    }

    private static func psql(_ url: String, _ command: String) async throws {
        let outcome = try await ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", command]
        )
        guard outcome.status == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "psql failed: \(command): \(outcome.errors)"])
        }
    }
}
