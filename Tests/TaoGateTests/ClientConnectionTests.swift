import Foundation
import MockUpstream
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import TaoGate

/// How a client connection behaves at the HTTP level (`GatewayHTTPChannel`).
@Suite("Client connections")
struct ClientConnectionTests {
    private static func port(of gateway: LiveGateway) -> Int {
        Int(gateway.url.split(separator: ":").last!)!
    }

    private static func get(_ path: String, closing: Bool = false) -> String {
        "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (closing ? "Connection: close\r\n" : "") + "\r\n"
    }

    @Test("Requests pipelined on one connection are answered in the order they came")
    func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await LiveGateway.run { gateway in
            let requests = Self.get("/healthz") + Self.get("/v2/nothing") + Self.get("/healthz", closing: true)
            let (answer, _) = try await RawHTTP.exchangeUntilClosed(port: Self.port(of: gateway), bytes: Array(requests.utf8))
            let statuses = answer.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
            #expect(statuses == ["200", "404", "200"])
        }
    }

    @Test("A request with Connection: close is answered, then the connection is closed")
    func connectionCloseIsHonoured() async throws {
        try await LiveGateway.run { gateway in
            let (answer, closed) = try await RawHTTP.exchangeUntilClosed(port: Self.port(of: gateway), bytes: Array(Self.get("/healthz", closing: true).utf8))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(closed)
        }
    }

    @Test("The answer to a request with Connection: close says Connection: close")
    func answerToCloseRequestSaysClose() async throws {
        try await LiveGateway.run { gateway in
            let (answer, _) = try await RawHTTP.exchangeUntilClosed(port: Self.port(of: gateway), bytes: Array(Self.get("/healthz", closing: true).utf8))
            #expect(answer.contains("\r\nConnection: close\r\n"))
        }
    }

    @Test("A keep-alive connection stays open after its answer")
    func keepAliveConnectionStaysOpen() async throws {
        try await LiveGateway.run(["IDLE_TIMEOUT_MS": "60000"]) { gateway in
            let (answer, closed) = try await RawHTTP.exchangeUntilClosed(port: Self.port(of: gateway), bytes: Array(Self.get("/healthz").utf8))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(!closed)
        }
    }

    @Test("An HTTP/1.0 request without keep-alive is answered, then the connection is closed")
    func http10RequestClosesAfterItsAnswer() async throws {
        try await LiveGateway.run(["IDLE_TIMEOUT_MS": "60000"]) { gateway in
            let request = "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
            let (answer, closed) = try await RawHTTP.exchangeUntilClosed(port: Self.port(of: gateway), bytes: Array(request.utf8))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(answer.contains("Connection: close\r\n"))
            #expect(closed)
        }
    }

    @Test("The answer to HEAD carries no body, so the next answer on the connection reads right")
    func headAnswerKeepsTheConnectionInStep() async throws {
        try await LiveGateway.run { gateway in
            let requests = "HEAD /v2/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + Self.get("/healthz", closing: true)
            let (answer, _) = try await RawHTTP.exchangeUntilClosed(port: Self.port(of: gateway), bytes: Array(requests.utf8))
            let answers = answer.components(separatedBy: "HTTP/1.1 ").dropFirst()
            #expect(answers.map { $0.prefix(3) } == ["404", "200"])
            // The first answer says how long its body would be, and ends with its head.
            #expect(answers.first?.contains("Content-Length: ") == true)
            #expect(answers.first?.hasSuffix("\r\n\r\n") == true)
        }
    }

    @Test("A keep-alive connection left idle is closed after IDLE_TIMEOUT_MS")
    func idleKeepAliveConnectionIsClosed() async throws {
        try await LiveGateway.run(["IDLE_TIMEOUT_MS": "500"]) { gateway in
            let (answer, closed) = try await RawHTTP.exchangeUntilClosed(port: Self.port(of: gateway), bytes: Array(Self.get("/healthz").utf8))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(closed)
        }
    }

    @Test("An answer that takes longer than IDLE_TIMEOUT_MS is not cut off by it")
    func slowAnswerOutlastsTheIdleTimeout() async throws {
        try await LiveGateway.run(["IDLE_TIMEOUT_MS": "500"]) { gateway in
            gateway.mock.inject(MockFault(delayMs: 1500))
            let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#
            let request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            let (answer, _) = try await RawHTTP.exchangeUntilClosed(port: Self.port(of: gateway), bytes: Array(request.utf8))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(answer.contains("chat.completion"))
        }
    }

    @Test("A client that closes its side after a request has the connection closed")
    func halfClosedClientIsDisconnected() async throws {
        try await LiveGateway.run(["IDLE_TIMEOUT_MS": "60000"]) { gateway in
            let (_, closed) = try await RawHTTP.exchangeUntilClosed(port: Self.port(of: gateway), bytes: Array(Self.get("/healthz").utf8), halfClose: true)
            #expect(closed)
        }
    }

    @Test("A client that sends a request and leaves at once does not hold up the gateway's shutdown")
    func clientLeavingAtOnceDoesNotHoldUpShutdown() async throws {
        let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#
        let request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        final class Rounds: Sendable { let done = Atomic(0) }
        let rounds = Rounds()
        // Unstructured, so that a shutdown that never ends fails the test instead of hanging it.
        Task {
            for _ in 0..<30 {
                try await LiveGateway.run { gateway in
                    try await RawHTTP.sendAndLeave(port: Self.port(of: gateway), bytes: Array(request.utf8))
                }
                rounds.done.add(1, ordering: .relaxed)
            }
        }
        #expect(try await waitUntil(.seconds(60)) { rounds.done.load(ordering: .relaxed) == 30 })
    }

    @Test("A client that does not read a stream holds back the upstream instead of the gateway buffering it")
    func slowClientHoldsBackTheUpstream() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .eventFlood(bytes: 512 << 20) }
        try await LiveGateway.run(["TAOTOKEN_BASE_URL": "http://127.0.0.1:\(upstream.port)/v1"]) { gateway in
            let client = try await ClientBootstrap(group: TransportTestLoops.group)
                .channelOption(.autoRead, value: false)
                .connect(host: "127.0.0.1", port: Self.port(of: gateway))
                .get()
            let body = #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
            let request =
                "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
            try await client.writeAndFlush(ByteBuffer(string: request)).get()
            for _ in 0..<200 where upstream.floodedBytes == 0 { try await Task.sleep(for: .milliseconds(50)) }
            // The flood stops once the buffers between it and the client are full (at most 10 s).
            var sent = -1
            for _ in 0..<20 {
                try await Task.sleep(for: .milliseconds(500))
                if upstream.floodedBytes == sent { break }
                sent = upstream.floodedBytes
            }
            #expect(upstream.floodedBytes == sent)
            // What left the upstream sits in the socket buffers and a few buffers of the gateway.
            #expect(sent > 0)
            #expect(sent < 64 << 20)
            try await client.close()
        }
        await upstream.close()
    }

    @Test("Every answer carries a Date header in IMF-fixdate form and the server's name")
    func answersCarryDateAndServer() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.get("/healthz")
            let date = try #require(response.header("Date"))
            let parser = DateFormatter()
            parser.locale = Locale(identifier: "en_US_POSIX")
            parser.timeZone = TimeZone(identifier: "GMT")
            parser.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let parsed = try #require(parser.date(from: date))
            #expect(abs(parsed.timeIntervalSinceNow) < 5)
            #expect(response.header("Server") == "TaoGate")
        }
    }

    @Test("The Date header of a known second is formatted as RFC 9110 gives it")
    func dateHeaderFormat() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(1_798_761_600) == "Fri, 01 Jan 2027 00:00:00 GMT")
    }

    @Test(
        "A Connection header asks to close when it holds the close option",
        arguments: [("close", true), ("Close", true), ("keep-alive, close", true), ("keep-alive", false), ("closed", false)]
    )
    func connectionHeaderClose(value: String, closes: Bool) {
        #expect(ConnectionHeader.asksToClose(value) == closes)
    }
}
