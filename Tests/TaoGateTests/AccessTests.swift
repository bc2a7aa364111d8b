import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Testing

@testable import TaoGate

@Suite("Access: CORS, security headers, exposure warnings")
struct AccessTests {
    @Test("CORS is closed by default: no CORS headers, and preflights are not answered")
    func corsIsClosedByDefault() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.get("/healthz", headers: [("Origin", "https://evil.example")])
            #expect(response.header("Access-Control-Allow-Origin") == nil)
            let preflight = try await TestResponse.send(
                .OPTIONS,
                gateway.url + "/api/chat",
                headers: [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")]
            )
            #expect(preflight.header("Access-Control-Allow-Origin") == nil)
            #expect(preflight.status == 404)
        }
    }

    @Test("A listed origin gets CORS headers and its preflight a 204; other origins get none")
    func listedOriginsAreAllowed() async throws {
        try await LiveGateway.run(["CORS_ORIGINS": "https://app.example, https://other.example"]) { gateway in
            let allowed = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: [("Origin", "https://app.example")])
            #expect(allowed.header("Access-Control-Allow-Origin") == "https://app.example")
            #expect(allowed.header("Vary") == "Origin")
            #expect(allowed.header("Access-Control-Expose-Headers")?.contains("RateLimit-Remaining") == true)
            let preflight = try await TestResponse.send(
                .OPTIONS,
                gateway.url + "/v1/chat/completions",
                headers: [("Origin", "https://other.example"), ("Access-Control-Request-Method", "POST")]
            )
            #expect(preflight.status == 204)
            #expect(preflight.header("Access-Control-Allow-Headers")?.contains("Authorization") == true)
            let refused = try await gateway.get("/healthz", headers: [("Origin", "https://evil.example")])
            #expect(refused.header("Access-Control-Allow-Origin") == nil)
        }
    }

    @Test("CORS_ORIGINS=* allows any origin")
    func starAllowsAnyOrigin() async throws {
        try await LiveGateway.run(["CORS_ORIGINS": "*"]) { gateway in
            let response = try await gateway.get("/healthz", headers: [("Origin", "https://anything.example")])
            #expect(response.header("Access-Control-Allow-Origin") == "*")
        }
    }

    @Test("Every answer carries nosniff and no-referrer")
    func everyAnswerCarriesSecurityHeaders() async throws {
        try await LiveGateway.run { gateway in
            for response in [try await gateway.get("/healthz"), try await gateway.get("/nowhere")] {
                #expect(response.header("X-Content-Type-Options") == "nosniff")
                #expect(response.header("Referrer-Policy") == "no-referrer")
            }
        }
    }

    @Test("HTML answers carry a content security policy and refuse framing")
    func htmlCarriesCSP() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.get("/")
            #expect(response.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(response.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
            #expect(response.header("X-Frame-Options") == "DENY")
        }
    }

    @Test("JSON answers carry no content security policy")
    func jsonCarriesNoCSP() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.get("/healthz")
            #expect(response.header("Content-Security-Policy") == nil)
            #expect(response.header("X-Frame-Options") == nil)
        }
    }

    @Test("Listening beyond loopback without client keys logs a warning")
    func exposedWithoutKeysWarns() throws {
        let exposed = try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "HOST": "0.0.0.0"])
        let logs = MemoryLogWriter()
        let logger = Logger(label: "test") { _ in GatewayLogHandler(level: .info, format: .json, writers: [logs]) }
        StartupChecks.logWarnings(for: exposed, to: logger)
        #expect(logs.jsonLines.contains { $0["level"] as? String == "warning" && ($0["msg"] as? String)?.contains("TAOGATE_API_KEYS") == true })
    }

    @Test("No warning on loopback, nor beyond it with client keys")
    func noWarningWhenSafe() throws {
        let loopback = try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k"])
        let keyed = try GatewayConfiguration(values: [
            "TAOTOKEN_API_KEY": "k", "HOST": "0.0.0.0", "TAOGATE_API_KEYS": "tg-key-12345-dddddddddddddddddddddddd",
        ])
        #expect(StartupChecks.warnings(for: loopback).isEmpty)
        #expect(StartupChecks.warnings(for: keyed).isEmpty)
    }
}
