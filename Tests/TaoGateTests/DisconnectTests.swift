import AsyncHTTPClient
import MockUpstream
import NIOCore
import Testing

@testable import TaoGate

@Suite("Client disconnect")
struct DisconnectTests {
    /// Waits up to `limit` for `condition`.
    private func eventually(_ limit: Duration = .seconds(10), _ condition: () async -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    @Test("A client that leaves a plain call cancels the upstream request at once")
    func leavingAPlainCallCancelsUpstream() async throws {
        try await LiveGateway.run(["UPSTREAM_TIMEOUT_MS": "60000"]) { gateway in
            gateway.mock.inject(MockFault(hang: true, hangMs: 30_000))
            let call = Task {
                try await TestResponse.send(
                    .POST,
                    gateway.url + "/api/chat",
                    body: #"{"message":"hi"}"#,
                    headers: [("Content-Type", "application/json")]
                )
            }
            #expect(try await eventually { gateway.mock.chatRequestCount == 1 })
            let left = ContinuousClock.now
            call.cancel()  // closes the connection to the gateway
            #expect(try await eventually { gateway.mock.abandonedAfter.count == 1 })
            // The upstream would hang for 30 s; a loaded machine may take a moment to notice.
            #expect(ContinuousClock.now - left < .seconds(10))
            let line = try #require(try await gateway.requestLogLines().first)
            #expect(line["client_gone"] as? Bool == true)
            #expect(line["status"] as? Int == 499)
            #expect(line["level"] as? String == "info")
        }
    }

    @Test("A client that leaves a stream cancels the upstream stream at once and its tokens so far are logged")
    func leavingAStreamCancelsUpstream() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(dripMs: 600))
            var request = HTTPClientRequest(url: gateway.url + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"a b c d e f g h"}]}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            var received = ""
            for try await buffer in response.body {
                received += String(buffer: buffer)
                if received.contains("\"content\":\"Simulated") { break }  // leave after the first words
            }
            #expect(try await eventually { gateway.mock.abandonedAfter.count == 1 })
            // The whole stream would take over 9 s; a loaded machine may take a moment to notice.
            #expect((gateway.mock.abandonedAfter.first ?? .seconds(99)) < .seconds(6))
            let line = try #require(try await gateway.requestLogLines().first)
            #expect(line["client_gone"] as? Bool == true)
            #expect(line["usage_estimated"] as? Bool == true)
            #expect((line["completion_tokens"] as? Int ?? 0) >= 1)
            let usage = try #require(gateway.stores.usage as? MemoryUsageStore)
            #expect(try await eventually { await usage.all.count == 1 })
            let row = try #require(await usage.all.first)
            #expect(row.cancelled && row.streamed && row.completionTokens >= 1)
        }
    }

    @Test("Keep-alive survives a completed chat call")
    func keepAliveSurvives() async throws {
        try await LiveGateway.run { gateway in
            for _ in 0..<3 {
                let response = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
                #expect(response.status == 200)
                #expect(response.header("Connection") != "close")
            }
        }
    }
}
