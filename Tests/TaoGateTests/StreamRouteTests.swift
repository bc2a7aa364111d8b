import LLMClient
import MockUpstream
import Testing

@Suite("POST /api/chat/stream")
struct StreamRouteTests {
    @Test("A stream relays every delta as a content event, then [DONE]")
    func streamRelaysDeltasThenDone() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"Stream to me"}"#)
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/event-stream") == true)
            let sent = try #require(gateway.mock.chatRequests.first)
            let contentEvents = response.events.filter { $0.data != "[DONE]" }
            #expect(contentEvents.count == MockReply.pieces(for: sent).count)
            #expect(response.streamedText == MockReply.text(for: sent))
            #expect(response.events.last?.data == "[DONE]")
        }
    }

    @Test("The upstream is asked for a stream with usage")
    func upstreamIsAskedForStreamWithUsage() async throws {
        try await LiveGateway.run { gateway in
            _ = try await gateway.post("/api/chat/stream", json: #"{"message":"hi"}"#)
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(sent.stream == true)
            #expect(sent.streamOptions?.includeUsage == true)
        }
    }

    @Test("A failure before the first byte answers with the JSON error and its status")
    func failureBeforeFirstByteIsJSON() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(status: 401))
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"hi"}"#)
            #expect(response.status == 401)
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            #expect(response.json["code"] as? String == "upstream_auth")
            #expect(response.json["success"] as? Bool == false)
        }
    }

    @Test("A failure after the first byte ends the stream with an error event")
    func failureAfterFirstByteIsErrorEvent() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(cutAfterChunks: 3))
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"one two three four five"}"#)
            #expect(response.status == 200)
            let last = try #require(response.events.last)
            #expect(last.event == "error")
            #expect(last.data.contains(#""code":"upstream_unavailable""#))
            #expect(!response.events.contains { $0.data == "[DONE]" })
            #expect(response.streamedText.isEmpty == false)
        }
    }

    @Test("A stream is never retried once bytes have gone to the client")
    func streamIsNotRetriedAfterFirstByte() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(cutAfterChunks: 2))
            _ = try await gateway.post("/api/chat/stream", json: #"{"message":"hi there"}"#)
            #expect(gateway.mock.chatRequestCount == 1)
        }
    }

    @Test("An upstream that goes silent mid-stream trips the idle timeout")
    func silentUpstreamTripsIdleTimeout() async throws {
        // The idle timeout also bounds the wait for the stream's headers: long enough for a loaded
        // machine, and no retry that would take a stream without the fault.
        try await LiveGateway.run(["UPSTREAM_IDLE_TIMEOUT_MS": "1500", "UPSTREAM_MAX_RETRIES": "0"]) { gateway in
            gateway.mock.inject(MockFault(hangMs: 8000, hangAfterChunks: 2))
            let started = ContinuousClock.now
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"hello"}"#)
            #expect(ContinuousClock.now - started < .seconds(6))
            let last = try #require(response.events.last, "\(response.status): \(response.body.prefix(500))")
            #expect(last.event == "error", "\(response.body.prefix(2000))")
            #expect(last.data.contains(#""code":"upstream_timeout""#))
        }
    }

    @Test("A slow drip never trips the idle timeout while bytes keep coming")
    func slowDripDoesNotTripIdleTimeout() async throws {
        try await LiveGateway.run(["UPSTREAM_IDLE_TIMEOUT_MS": "1500"]) { gateway in
            gateway.mock.inject(MockFault(dripMs: 150))
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"a b c d e f"}"#)
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(response.streamedText == MockReply.text(for: sent))
            #expect(response.events.last?.data == "[DONE]")
        }
    }

    @Test("Comments and CRLF line endings from the upstream are tolerated")
    func commentsAndCRLFAreTolerated() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(comments: true, crlf: true))
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"hi"}"#)
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(response.streamedText == MockReply.text(for: sent))
        }
    }

    @Test("An upstream that closes without [DONE] still gives the client a complete stream")
    func upstreamWithoutDoneStillCompletes() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(omitDone: true))
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"hi"}"#)
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(response.streamedText == MockReply.text(for: sent))
            #expect(response.events.last?.data == "[DONE]")
        }
    }

    @Test("Data that is not JSON mid-stream ends the stream with an error event")
    func garbageMidStreamIsErrorEvent() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(garbageAfterChunks: 1))
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"hi there"}"#)
            #expect(response.events.last?.event == "error")
        }
    }

    @Test("A stream cut in the middle of an event ends with an error event")
    func truncatedEventIsErrorEvent() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(truncateAfterChunks: 2))
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"a b c d"}"#)
            let last = try #require(response.events.last)
            #expect(last.event == "error")
            #expect(last.data.contains(#""code":"upstream_unavailable""#))
        }
    }

    @Test("A 4 MB line from the upstream is relayed whole")
    func fourMegabyteLineIsRelayed() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(longLineBytes: 4 * 1024 * 1024))
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"hi"}"#)
            #expect(response.events.last?.data == "[DONE]")
            #expect(response.streamedText.utf8.count > 4 * 1024 * 1024)
        }
    }
}
