import Foundation
import Testing

/// Runs the built `taogate` executable, as a user would from the README.
@Suite("The taogate command")
struct CommandLineTests {
    /// `taogate` is built next to the test bundle.
    static let executable: URL = {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("taogate").path),
            directory.path != "/"
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("taogate")
    }()

    /// A fresh working directory, so no developer's `.env` is read.
    private func makeWorkingDirectory(dotEnv: String? = nil) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let dotEnv { try dotEnv.write(to: directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8) }
        return directory
    }

    private func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter {
            !["TAOTOKEN_API_KEY", "PORT", "HOST", "DATABASE_URL", "LOG_DIR"].contains($0.key)
        }
        environment.merge(extra) { $1 }
        return environment
    }

    /// Starts `serve --demo` in `directory` (its standard error in `stderr.txt` there, its
    /// standard output to `standardOutput` or /dev/null) and waits for its port.
    private func startDemo(
        in directory: URL,
        environment extra: [String: String] = [:],
        standardOutput: FileHandle? = nil
    ) async throws -> (ChildProcess, port: Int) {
        let errorLog = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        let errors = try FileHandle(forWritingTo: errorLog)
        let process = try ChildProcess(
            Self.executable,
            ["serve", "--demo", "--port", "0"],
            environment: environment(extra),
            directory: directory,
            standardOutput: standardOutput?.fileDescriptor,
            standardError: errors.fileDescriptor
        )
        try errors.close()
        try standardOutput?.close()
        for _ in 0..<200 {
            let text = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            if let range = text.range(of: "TaoGate listening on http://127.0.0.1:"),
                let port = Int(text[range.upperBound...].prefix { $0.isNumber })
            {
                return (process, port)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        let said = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "serve --demo did not start: \(said)"])
    }

    /// Runs the command to completion; returns its exit code and standard error.
    private func run(_ arguments: [String], environment: [String: String], in directory: URL) async throws -> (Int32, String) {
        let outcome = try await ProcessRunner.run(Self.executable, arguments, environment: environment, directory: directory)
        return (outcome.status, outcome.errors)
    }

    @Test("The executable was built beside the tests")
    func executableExists() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.executable.path))
    }

    @Test("serve without TAOTOKEN_API_KEY exits non-zero with one line naming it")
    func serveWithoutKeyExitsNamingIt() async throws {
        let directory = try makeWorkingDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, errors) = try await run(["serve"], environment: environment(), in: directory)
        #expect(status != 0)
        let lines = errors.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("TAOTOKEN_API_KEY") == true)
    }

    @Test("serve with PORT=abc exits non-zero naming PORT")
    func serveWithBadPortExitsNamingIt() async throws {
        let directory = try makeWorkingDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, errors) = try await run(["serve"], environment: environment(["TAOTOKEN_API_KEY": "k", "PORT": "abc"]), in: directory)
        #expect(status != 0)
        #expect(errors.split(separator: "\n").count == 1)
        #expect(errors.contains("PORT"))
    }

    @Test("serve reads a .env file with export and quotes from the working directory")
    func serveReadsDotEnv() async throws {
        let directory = try makeWorkingDirectory(dotEnv: "# settings\nexport TAOTOKEN_API_KEY=\"sk-file\"\nUPSTREAM_TIMEOUT_MS='-1'\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, errors) = try await run(["serve"], environment: environment(), in: directory)
        #expect(status != 0)
        #expect(errors.contains("UPSTREAM_TIMEOUT_MS"))
        #expect(!errors.contains("TAOTOKEN_API_KEY"))
    }

    @Test("serve --demo answers /api/chat and /api/chat/stream without a key, then stops on SIGTERM")
    func demoModeServesWithoutKey() async throws {
        let directory = try makeWorkingDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (process, listening) = try await startDemo(in: directory)
        defer { process.terminate() }
        let banner = try String(contentsOf: directory.appendingPathComponent("stderr.txt"), encoding: .utf8)
        #expect(banner.contains("DEMO MODE"))
        #expect(banner.contains("simulated"))

        let base = "http://127.0.0.1:\(listening)"
        let chat = try await TestResponse.send(
            .POST,
            base + "/api/chat",
            body: #"{"message":"hello"}"#,
            headers: [("Content-Type", "application/json")]
        )
        #expect(chat.status == 200)
        #expect((chat.json["response"] as? String)?.contains("hello") == true)
        let stream = try await TestResponse.send(
            .POST,
            base + "/api/chat/stream",
            body: #"{"message":"hello"}"#,
            headers: [("Content-Type", "application/json")]
        )
        #expect(stream.status == 200)
        #expect(stream.events.last?.data == "[DONE]")

        process.terminate()  // SIGTERM
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
    }

    @Test("serve goes on answering when nothing reads its standard output, where its log lines go")
    func serveAnswersWhileItsOutputIsNotRead() async throws {
        let directory = try makeWorkingDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A pipe that holds 64 KiB and is never read: the request lines fill it after about two
        // hundred requests.
        let output = Pipe()
        let (process, listening) = try await startDemo(
            in: directory,
            environment: ["DATABASE_URL": "memory:", "LOG_FORMAT": "json", "RATE_LIMIT_MAX": "0"],
            standardOutput: output.fileHandleForWriting
        )
        defer {
            process.terminate()
            try? output.fileHandleForReading.close()
        }
        let message = #"{"message":"\#(String(repeating: "a log line long enough to fill a pipe soon ", count: 4))"}"#
        var answered = 0
        for _ in 0..<600 {
            let chat = try await TestResponse.send(
                .POST,
                "http://127.0.0.1:\(listening)/api/chat",
                body: message,
                headers: [("Content-Type", "application/json")],
                timeout: .seconds(5)
            )
            if chat.status == 200 { answered += 1 }
        }
        #expect(answered == 600)
    }

    @Test("mock-upstream --port N serves the fake provider alone")
    func mockUpstreamServesAlone() async throws {
        let port = Int.random(in: 20_000...40_000)
        let directory = try makeWorkingDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = try ChildProcess(Self.executable, ["mock-upstream", "--port", String(port)], environment: environment(), directory: directory)
        defer { process.terminate() }

        var models: TestResponse?
        for _ in 0..<100 where models == nil {
            try await Task.sleep(for: .milliseconds(50))
            models = try? await TestResponse.send(.GET, "http://127.0.0.1:\(port)/v1/models")
        }
        let response = try #require(models)
        #expect(response.status == 200)
        #expect((response.json["data"] as? [[String: Any]])?.isEmpty == false)
        let chat = try await TestResponse.send(
            .POST,
            "http://127.0.0.1:\(port)/v1/chat/completions",
            body: #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#,
            headers: [("Content-Type", "application/json")]
        )
        #expect(chat.status == 200)
        #expect(chat.json["object"] as? String == "chat.completion")
    }
}
