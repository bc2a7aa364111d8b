import Foundation
import LLMClient
import Logging
import MockUpstream
import Testing

@testable import TaoGate

/// What must never leave the gateway: passwords, upstream messages that may quote prompts, trace
/// context for third parties, forged log lines.
@Suite("Security: leaks")
struct LeakSecurityTests {
    @Test("An upstream's error message (which may quote the prompt) is neither logged nor shown in production; its type and code are")
    func upstreamMessagesStayOut() async throws {
        try await LiveGateway.run(["UPSTREAM_MAX_RETRIES": "0"]) { gateway in
            gateway.mock.inject(MockFault(status: 400, message: "bad request near: my secret prompt text"))
            let response = try await gateway.post(
                "/v1/chat/completions",
                json: #"{"model":"gpt-4o","messages":[{"role":"user","content":"my secret prompt text"}]}"#
            )
            #expect(response.status == 400)
            #expect(!response.body.contains("secret prompt"))
            let line = try #require(try await gateway.requestLogLines().first)
            #expect(line["upstream_error_type"] as? String == "invalid_request_error")
            #expect(!gateway.logs.all.joined().contains("secret prompt"))
        }
    }

    @Test("In development the upstream's message is shown to the client")
    func developmentShowsUpstreamMessages() async throws {
        try await LiveGateway.run(["UPSTREAM_MAX_RETRIES": "0", "APP_ENV": "development"]) { gateway in
            gateway.mock.inject(MockFault(status: 400, message: "the upstream's own words"))
            let response = try await gateway.post("/v1/chat/completions", json: #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(response.body.contains("the upstream's own words"))
        }
    }

    @Test("A provider error's description, which spans record, holds no upstream message")
    func providerErrorDescriptionHasNoMessage() {
        let error = ProviderError(kind: .status, status: 400, upstreamMessage: "quoting the prompt", upstreamType: "invalid_request_error")
        #expect(!error.description.contains("quoting"))
        #expect(error.description.contains("invalid_request_error"))
    }

    @Test("The client's trace context does not go on to the provider unless PROPAGATE_TRACE_CONTEXT says so")
    func traceContextStaysHome() async throws {
        try await LiveGateway.run(traced: true) { gateway in
            _ = try await gateway.post(
                "/v1/chat/completions",
                json: #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#,
                headers: [("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), ("baggage", "user=alice")]
            )
            let received = try #require(gateway.mock.chatHeaders.last)
            #expect(received["traceparent"] == nil)
            #expect(received["baggage"] == nil)
            #expect(!received.keys.contains { $0.hasPrefix("trace") })
        }
    }

    @Test("LOG_FORMAT=text writes a value with a line break quoted, so it cannot forge a line")
    func textLogsCannotBeForged() async throws {
        try await LiveGateway.run(["LOG_FORMAT": "text", "TAOTOKEN_APIS": "chat"]) { gateway in
            let forged = #"x\n2026-01-01T00:00:00.000Z error request status=500 forged=yes"#
            _ = try await gateway.post(
                "/v1/messages",
                json: #"{"model":"gpt-4o","max_tokens":5,"\#(forged)":1,"messages":[{"role":"user","content":"hi"}]}"#
            )
            try await Task.sleep(for: .milliseconds(200))
            let lines = gateway.logs.all.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false) }
            #expect(!lines.contains { $0.hasPrefix("2026-01-01T00:00:00.000Z") })
            #expect(lines.contains { $0.contains("dropped=") })
        }
    }

    @Test("A plain http:// provider that is not on loopback is warned about at startup")
    func plainHTTPIsWarnedAbout() throws {
        let remote = try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "TAOTOKEN_BASE_URL": "http://api.example.com/v1"])
        #expect(StartupChecks.warnings(for: remote).contains { $0.contains("plain http://") })
        let local = try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "TAOTOKEN_BASE_URL": "http://127.0.0.1:9/v1"])
        #expect(!StartupChecks.warnings(for: local).contains { $0.contains("plain http://") })
    }

    @Test("A database URL is shown without its password")
    func databasePasswordsAreHidden() throws {
        let location = try DatabaseLocation("postgres://taogate:s3cret-pass@db.internal:5432/taogate?sslmode=verify-full")
        #expect(!location.description.contains("s3cret"))
        #expect(location.description.contains("db.internal"))
    }

    @Test(
        "An sslmode PostgreSQL does not know, such as a typo, is refused at startup instead of becoming prefer",
        arguments: ["verify-ful", "allow", "on"]
    )
    func unknownSSLModesAreRefused(mode: String) {
        #expect(throws: ConfigurationError.self) {
            try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "DATABASE_URL": "postgres://u:p@db/x?sslmode=\(mode)"])
        }
    }

    @Test("sslmode=verify-full does not fall back to a connection without TLS", .enabled(if: TestPostgres.isAvailable))
    func verifyFullDoesNotDowngrade() async throws {
        // The test server speaks no TLS: a mode that must verify cannot connect at all.
        var url = try #require(URLComponents(string: try await TestPostgres.freshDatabaseURL()))
        url.queryItems = [URLQueryItem(name: "sslmode", value: "verify-full")]
        await #expect(throws: DatabaseUnavailable.self) {
            _ = try await GatewayStores.open(.postgres(url: url.string!), logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() })
        }
    }
}
