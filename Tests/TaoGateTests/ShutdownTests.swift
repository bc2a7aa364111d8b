import Foundation
import Testing

/// Graceful shutdown of the real `taogate serve` process, in front of a real `taogate mock-upstream`.
@Suite("Graceful shutdown")
struct ShutdownTests {
    struct Stack {
        let mock: RunningProcess
        let gateway: RunningProcess
        let mockURL: String
        let gatewayURL: String
    }

    private func startStack(grace: Int, dripMs: Int) async throws -> Stack {
        let mockPort = freeLoopbackPort()
        let mock = try RunningProcess(["mock-upstream", "--port", String(mockPort)])
        let mockURL = "http://127.0.0.1:\(mockPort)"
        _ = try await mock.listeningPort()
        let gateway = try RunningProcess(
            ["serve", "--port", "0"],
            environment: [
                "TAOTOKEN_API_KEY": "sk-any",
                "TAOTOKEN_BASE_URL": mockURL + "/v1",
                "SHUTDOWN_GRACE_SECONDS": String(grace),
            ]
        )
        let port = try await gateway.listeningPort()
        _ = try await TestResponse.send(
            .POST,
            mockURL + "/mock/faults",
            body: #"{"dripMs":\#(dripMs)}"#,
            headers: [("Content-Type", "application/json")]
        )
        return Stack(mock: mock, gateway: gateway, mockURL: mockURL, gatewayURL: "http://127.0.0.1:\(port)")
    }

    private func startStream(_ stack: Stack) -> Task<TestResponse, any Error> {
        Task {
            try await TestResponse.send(
                .POST,
                stack.gatewayURL + "/api/chat/stream",
                body: #"{"message":"one two three four five six"}"#,
                headers: [("Content-Type", "application/json")]
            )
        }
    }

    /// A plain `/api/chat` call whose upstream answers `upstreamMs` after the call reaches it,
    /// with SIGTERM sent once it has: its answer, and when SIGTERM was sent.
    private func plainCallDuringShutdown(_ stack: Stack, upstreamMs: Int) async throws -> (TestResponse, ContinuousClock.Instant) {
        _ = try await TestResponse.send(.DELETE, stack.mockURL + "/mock/faults")
        _ = try await TestResponse.send(
            .POST,
            stack.mockURL + "/mock/faults",
            body: #"{"hang":true,"hangMs":\#(upstreamMs)}"#,
            headers: [("Content-Type", "application/json")]
        )
        let call = Task {
            try await TestResponse.send(
                .POST,
                stack.gatewayURL + "/api/chat",
                body: #"{"message":"hello"}"#,
                headers: [("Content-Type", "application/json")]
            )
        }
        // A fixed wait was too short on a loaded machine: the call had not left the gateway yet.
        for _ in 0..<200 {
            let stats = try await TestResponse.send(.GET, stack.mockURL + "/mock/stats")
            if stats.json["chat_requests"] as? Int ?? 0 > 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let stopped = ContinuousClock.now
        stack.gateway.terminate()
        return (try await call.value, stopped)
    }

    @Test("On SIGTERM a stream in flight finishes within the grace period, then the process exits 0")
    func streamFinishesWithinGrace() async throws {
        let stack = try await startStack(grace: 15, dripMs: 150)
        defer { stack.mock.terminate() }
        let stream = startStream(stack)
        try await Task.sleep(for: .milliseconds(500))
        stack.gateway.terminate()
        let response = try await stream.value
        #expect(response.events.last?.data == "[DONE]")
        #expect(response.streamedText.contains("one two three four five six"))
        #expect(try await stack.gateway.exitStatus(within: .seconds(10)) == 0)
    }

    @Test("A stream still running when the grace period ends gets an error event, and the process exits 0")
    func streamPastGraceGetsErrorEvent() async throws {
        let stack = try await startStack(grace: 1, dripMs: 600)
        defer { stack.mock.terminate() }
        let stream = startStream(stack)
        try await Task.sleep(for: .milliseconds(500))
        let stopped = ContinuousClock.now
        stack.gateway.terminate()
        let response = try await stream.value
        let last = try #require(response.events.last)
        #expect(last.event == "error")
        #expect(last.data.contains(#""code":"shutting_down""#))
        #expect(ContinuousClock.now - stopped < .seconds(4))
        #expect(try await stack.gateway.exitStatus(within: .seconds(10)) == 0)
    }

    @Test("A plain call still running when the grace period ends gets 503 shutting_down, and the process exits 0")
    func plainCallPastGraceGets503() async throws {
        let stack = try await startStack(grace: 1, dripMs: 0)
        defer { stack.mock.terminate() }
        let (response, stopped) = try await plainCallDuringShutdown(stack, upstreamMs: 10000)
        #expect(response.status == 503)
        #expect(response.body.contains("shutting_down"))
        #expect(ContinuousClock.now - stopped < .seconds(4))
        #expect(try await stack.gateway.exitStatus(within: .seconds(10)) == 0)
    }

    @Test("An answer written while the server shuts down says Connection: close")
    func answerDuringShutdownSaysClose() async throws {
        let stack = try await startStack(grace: 10, dripMs: 0)
        defer { stack.mock.terminate() }
        let (response, _) = try await plainCallDuringShutdown(stack, upstreamMs: 1500)
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        #expect(try await stack.gateway.exitStatus(within: .seconds(10)) == 0)
    }

    @Test("A plain call cut off by the end of the grace period is answered with Connection: close")
    func answerPastGraceSaysClose() async throws {
        let stack = try await startStack(grace: 1, dripMs: 0)
        defer { stack.mock.terminate() }
        let (response, _) = try await plainCallDuringShutdown(stack, upstreamMs: 10000)
        #expect(response.header("Connection") == "close")
    }

    @Test("A keep-alive connection idle at SIGTERM is closed at once, and the process exits 0")
    func idleConnectionIsClosedAtShutdown() async throws {
        let stack = try await startStack(grace: 15, dripMs: 0)
        defer { stack.mock.terminate() }
        let port = Int(stack.gatewayURL.split(separator: ":").last!)!
        let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        let exchange = Task { try await RawHTTP.exchangeUntilClosed(port: port, bytes: Array(request.utf8)) }
        try await Task.sleep(for: .milliseconds(500))
        stack.gateway.terminate()
        let (answer, closed) = try await exchange.value
        #expect(answer.hasPrefix("HTTP/1.1 200"))
        #expect(closed)
        #expect(try await stack.gateway.exitStatus(within: .seconds(5)) == 0)
    }

    @Test("After SIGTERM no new connection is accepted")
    func noNewConnectionsAfterSigterm() async throws {
        let stack = try await startStack(grace: 15, dripMs: 200)
        defer { stack.mock.terminate() }
        let stream = startStream(stack)
        try await Task.sleep(for: .milliseconds(400))
        stack.gateway.terminate()
        try await Task.sleep(for: .milliseconds(300))
        await #expect(throws: (any Error).self) {
            _ = try await TestResponse.send(.GET, stack.gatewayURL + "/healthz", timeout: .seconds(2))
        }
        _ = try await stream.value
        #expect(try await stack.gateway.exitStatus(within: .seconds(10)) == 0)
    }
}
