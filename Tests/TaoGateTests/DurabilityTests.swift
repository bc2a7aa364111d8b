import Foundation
import Testing

/// The real `taogate` process on a SQLite file: what survives kill -9, and the key commands.
@Suite("SQLite durability and the key commands")
struct DurabilityTests {
    private func databaseURL() -> (url: String, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-db-\(UUID().uuidString)")
        return ("sqlite:" + folder.appendingPathComponent("data/taogate.sqlite").path, folder)
    }

    private func run(_ arguments: [String], environment: [String: String]) async throws -> ProcessOutcome {
        var merged = ProcessInfo.processInfo.environment.filter { !["DATABASE_URL", "TAOTOKEN_API_KEY"].contains($0.key) }
        merged.merge(environment) { $1 }
        return try await ProcessRunner.run(
            CommandLineTests.executable,
            arguments,
            environment: merged,
            directory: FileManager.default.temporaryDirectory
        )
    }

    enum Backend: String, CaseIterable {
        case sqlite, postgres
        static var available: [Backend] { TestPostgres.isAvailable ? allCases : [.sqlite] }
    }

    @Test("History acknowledged before a kill -9 is there after a restart", arguments: Backend.available)
    func historySurvivesKill9(backend: Backend) async throws {
        let (sqliteURL, folder) = databaseURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = backend == .sqlite ? sqliteURL : try await TestPostgres.freshDatabaseURL()
        let mockPort = freeLoopbackPort()
        let mock = try RunningProcess(["mock-upstream", "--port", String(mockPort)])
        defer { mock.terminate() }
        _ = try await mock.listeningPort()
        let environment = ["TAOTOKEN_API_KEY": "sk-any", "TAOTOKEN_BASE_URL": "http://127.0.0.1:\(mockPort)/v1", "DATABASE_URL": database]

        let first = try RunningProcess(["serve", "--port", "0"], environment: environment)
        let firstURL = "http://127.0.0.1:\(try await first.listeningPort())"
        for index in 0..<3 {
            let reply = try await TestResponse.send(
                .POST,
                firstURL + "/api/chat",
                body: #"{"message":"remember \#(index)","userId":"durable"}"#,
                headers: [("Content-Type", "application/json")]
            )
            #expect(reply.status == 200)
        }
        kill(first.process.processIdentifier, SIGKILL)
        _ = try await first.exitStatus(within: .seconds(5))

        let second = try RunningProcess(["serve", "--port", "0"], environment: environment)
        defer { second.terminate() }
        let secondURL = "http://127.0.0.1:\(try await second.listeningPort())"
        let stored = try await TestResponse.send(.GET, secondURL + "/api/conversations/durable")
        let contents = (stored.json["messages"] as? [[String: Any]])?.compactMap { $0["content"] as? String } ?? []
        #expect(contents.filter { $0.hasPrefix("remember") } == ["remember 0", "remember 1", "remember 2"])
        #expect(contents.count == 6)
    }

    @Test("Usage rows still buffered at SIGTERM are written before the process exits")
    func usageIsFlushedOnShutdown() async throws {
        let (database, folder) = databaseURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mockPort = freeLoopbackPort()
        let mock = try RunningProcess(["mock-upstream", "--port", String(mockPort)])
        defer { mock.terminate() }
        _ = try await mock.listeningPort()
        let environment = [
            "TAOTOKEN_API_KEY": "sk-any", "TAOTOKEN_BASE_URL": "http://127.0.0.1:\(mockPort)/v1", "DATABASE_URL": database,
            "TAOGATE_ADMIN_KEY": "admin-key-0123456789",
        ]
        let first = try RunningProcess(["serve", "--port", "0"], environment: environment)
        let firstURL = "http://127.0.0.1:\(try await first.listeningPort())"
        for index in 0..<5 {
            _ = try await TestResponse.send(
                .POST,
                firstURL + "/api/chat",
                body: #"{"message":"m\#(index)"}"#,
                headers: [("Content-Type", "application/json")]
            )
        }
        first.terminate()  // SIGTERM at once: the rows may still be in the buffer
        #expect(try await first.exitStatus(within: .seconds(10)) == 0)

        let second = try RunningProcess(["serve", "--port", "0"], environment: environment)
        defer { second.terminate() }
        let secondURL = "http://127.0.0.1:\(try await second.listeningPort())"
        let usage = try await TestResponse.send(
            .GET,
            secondURL + "/api/usage?group_by=key",
            headers: [("Authorization", "Bearer admin-key-0123456789")]
        )
        let totals = usage.json["totals"] as? [[String: Any]]
        #expect(totals?.first?["requests"] as? Int == 5)
    }

    @Test("A PostgreSQL server that cannot be reached stops serve with one line")
    func unreachablePostgresStopsStartup() async throws {
        let result = try await run(
            ["serve", "--port", "0"],
            environment: ["TAOTOKEN_API_KEY": "sk-any", "DATABASE_URL": "postgres://nobody@127.0.0.1:\(freeLoopbackPort())/none?sslmode=disable"]
        )
        #expect(result.status != 0)
        #expect(result.errors.split(separator: "\n").count == 1)
        #expect(result.errors.contains("database unavailable"))
    }

    @Test("keys create prints a key once; list shows it without the key; revoke ends it")
    func keyCommandsWork() async throws {
        let (database, folder) = databaseURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["DATABASE_URL": database]
        let created = try await run(["keys", "create", "--name", "ci-app", "--rate-limit", "7"], environment: environment)
        #expect(created.status == 0)
        let secret = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("tg_"))
        let listed = try await run(["keys", "list"], environment: environment)
        #expect(listed.output.contains("ci-app"))
        #expect(listed.output.contains("\t7\t"))
        #expect(!listed.output.contains(secret))
        let prefix = String(secret.prefix(10))
        let revoked = try await run(["keys", "revoke", prefix], environment: environment)
        #expect(revoked.status == 0)
        #expect(try await run(["keys", "list"], environment: environment).output.contains("revoked"))
        #expect(try await run(["keys", "revoke", prefix], environment: environment).status != 0)
    }

    @Test("A database that cannot be opened stops serve with one line")
    func unreachableDatabaseStopsStartup() async throws {
        let result = try await run(
            ["serve", "--port", "0"],
            environment: ["TAOTOKEN_API_KEY": "sk-any", "DATABASE_URL": "sqlite:/proc/taogate-cannot-write-here/db.sqlite"]
        )
        #expect(result.status != 0)
        let lines = result.errors.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("database unavailable") == true)
    }

    @Test("migrate creates the schema")
    func migrateCreatesTheSchema() async throws {
        let (database, folder) = databaseURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await run(["migrate"], environment: ["DATABASE_URL": database])
        #expect(result.status == 0)
        #expect(FileManager.default.fileExists(atPath: String(database.dropFirst("sqlite:".count))))
    }
}
