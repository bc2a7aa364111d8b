import Foundation
import MockUpstream
import Testing

/// `taogate chat` and `taogate models` against a live gateway.
@Suite("The terminal client")
struct ChatClientTests {
    /// Runs the client; `input` is written to its standard input, which is then closed.
    private func client(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) async throws -> ProcessOutcome {
        try await ProcessRunner.run(
            CommandLineTests.executable,
            arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            input: input
        )
    }

    @Test("chat MESSAGE prints the streamed answer and exits 0")
    func oneMessageIsAnswered() async throws {
        try await LiveGateway.run { gateway in
            let outcome = try await client(["chat", "--url", gateway.url, "--model", "gpt-4o", "hello", "there"])
            #expect(outcome.status == 0)
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(sent.model == "gpt-4o")
            #expect(outcome.output == MockReply.text(for: sent) + "\n")
        }
    }

    @Test("A session without MESSAGE keeps the conversation from line to line")
    func sessionKeepsTheConversation() async throws {
        try await LiveGateway.run { gateway in
            let outcome = try await client(["chat", "--url", gateway.url, "--user", "terminal-user"], input: "first line\nsecond line\n")
            #expect(outcome.status == 0)
            #expect(gateway.mock.chatRequests.count == 2)
            #expect(gateway.mock.chatRequests[1].messages.map(\.role) == ["user", "assistant", "user"])
            #expect(outcome.output.split(separator: "\n").count == 2)
        }
    }

    @Test("A gateway that is down gives exit code 69 and one clear line")
    func gatewayDownExits69() async throws {
        let outcome = try await withRefusingPort { port in try await client(["chat", "--url", "http://127.0.0.1:\(port)", "hi"]) }
        #expect(outcome.status == 69)
        #expect(outcome.errors.contains("cannot reach the gateway"))
    }

    @Test("A refused key gives exit code 77")
    func refusedKeyExits77() async throws {
        try await LiveGateway.run(["TAOGATE_API_KEYS": "tg-terminal-key-ffffffffffffffffffff"]) { gateway in
            let refused = try await client(["chat", "--url", gateway.url, "--key", "tg-wrong-key", "hi"])
            #expect(refused.status == 77)
            #expect(refused.errors.contains("401"))
            let accepted = try await client(
                ["chat", "--url", gateway.url, "hi"],
                environment: ["TAOGATE_CLIENT_KEY": "tg-terminal-key-ffffffffffffffffffff"]
            )
            #expect(accepted.status == 0)
        }
    }

    @Test("Being rate limited gives exit code 75 and says when to retry")
    func rateLimitedExits75() async throws {
        try await LiveGateway.run(["RATE_LIMIT_MAX": "1"]) { gateway in
            _ = try await client(["chat", "--url", gateway.url, "hi"])
            let limited = try await client(["chat", "--url", gateway.url, "hi"])
            #expect(limited.status == 75)
            #expect(limited.errors.contains("Retry in"))
        }
    }

    @Test("models lists the gateway's models, one per line")
    func modelsAreListed() async throws {
        try await LiveGateway.run { gateway in
            let outcome = try await client(["models", "--url", gateway.url])
            #expect(outcome.status == 0)
            #expect(outcome.output.split(separator: "\n").map(String.init) == MockUpstream.models)
        }
    }

    @Test("Ctrl-C stops the answer, not the session")
    func interruptStopsOnlyTheAnswer() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(dripMs: 300))  // the first answer takes seconds
            let stdin = Pipe()
            let output = Pipe()
            let process = try ChildProcess(
                CommandLineTests.executable,
                ["chat", "--url", gateway.url, "--user", "interrupted"],
                standardInput: stdin.fileHandleForReading.fileDescriptor,
                standardOutput: output.fileHandleForWriting.fileDescriptor
            )
            try stdin.fileHandleForReading.close()
            try output.fileHandleForWriting.close()
            stdin.fileHandleForWriting.write(Data("a slow answer please\n".utf8))
            for _ in 0..<100 where gateway.mock.chatRequestCount == 0 { try await Task.sleep(for: .milliseconds(20)) }
            try await Task.sleep(for: .milliseconds(400))
            process.send(SIGINT)
            try await Task.sleep(for: .milliseconds(300))
            #expect(process.isRunning)
            stdin.fileHandleForWriting.write(Data("and another\n".utf8))
            try stdin.fileHandleForWriting.close()
            for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(30)) }
            #expect(!process.isRunning)
            #expect(process.terminationStatus == 0)
            try #require(gateway.mock.chatRequestCount == 2)
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(printed.contains(MockReply.text(for: gateway.mock.chatRequests[1])))
        }
    }
}
