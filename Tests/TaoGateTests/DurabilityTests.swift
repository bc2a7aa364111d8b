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
        let result = try await withRefusingPort { port in
            try await run(
                ["serve", "--port", "0"],
                environment: ["TAOTOKEN_API_KEY": "sk-any", "DATABASE_URL": "postgres://nobody@127.0.0.1:\(port)/none?sslmode=disable"]
            )
        }
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

    @Test("keys create and update take budgets, models, expiry and an owner, checked as the admin API checks them")
    func keyCommandsTakeLimits() async throws {
        let (database, folder) = databaseURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["DATABASE_URL": database]
        let created = try await run(
            [
                "keys", "create", "--name", "team", "--owner", "ann", "--budget", "daily:tokens:5000", "--budget", "monthly:CNY:20",
                "--models", "gpt-4o,qwen-*", "--expires", "2099-01-01",
            ],
            environment: environment
        )
        #expect(created.status == 0, "\(created.errors)")
        let id = try #require(created.errors.split(separator: " ").first { $0.hasPrefix("ck_") }.map(String.init))
        let listed = try await run(["keys", "list"], environment: environment).output
        #expect(listed.contains("daily:tokens:5000,monthly:CNY:20.0"))
        #expect(listed.contains("gpt-4o,qwen-*") && listed.contains("2099-01-01T00:00:00Z") && listed.contains("\tann\t"))
        #expect(
            try await run(["keys", "update", id, "--clear-budgets", "--any-model", "--max-concurrent", "2"], environment: environment).status == 0
        )
        let updated = try await run(["keys", "list"], environment: environment).output
        #expect(!updated.contains("daily:tokens") && updated.contains("\t2\t-\t*\t"))
        let refused = try await run(["keys", "create", "--name", "x", "--models", "a*b"], environment: environment)
        #expect(refused.status != 0)
        #expect(refused.errors.contains("allowed_models"))
        #expect(try await run(["keys", "create", "--name", "x", "--budget", "weekly:tokens:5"], environment: environment).status != 0)
        #expect(try await run(["keys", "update", "ck_nothere", "--note", "x"], environment: environment).status != 0)
    }

    @Test("serve reloads its prices on SIGHUP")
    func hangUpReloadsPrices() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-hup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pricing = folder.appendingPathComponent("providers.yaml")
        try "pricing:\n  currency: CNY\n  models:\n    gpt-4o: { input: 1, output: 2 }\n".write(to: pricing, atomically: true, encoding: .utf8)
        let server = try RunningProcess(
            ["serve", "--demo", "--port", "0"],
            environment: ["DATABASE_URL": "memory:", "TAOGATE_CONFIG": pricing.path, "TAOGATE_ADMIN_KEY": "admin-key-for-hangups"]
        )
        defer { server.terminate() }
        let base = "http://127.0.0.1:\(try await server.listeningPort())"
        func inputPrice() async throws -> Double? {
            let body = try await TestResponse.send(.GET, base + "/admin/pricing", headers: [("x-api-key", "admin-key-for-hangups")]).json
            return (((body["shared"] as? [String: Any])?["models"] as? [String: Any])?["gpt-4o"] as? [String: Any])?["input"] as? Double
        }
        #expect(try await inputPrice() == 1)
        try "pricing:\n  currency: CNY\n  models:\n    gpt-4o: { input: 7, output: 2 }\n".write(to: pricing, atomically: true, encoding: .utf8)
        kill(server.process.processIdentifier, SIGHUP)
        #expect(try await waitUntil { try await inputPrice() == 7 })
        #expect(server.process.isRunning)
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
