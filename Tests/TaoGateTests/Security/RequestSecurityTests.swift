import Foundation
import LLMClient
import MockUpstream
import NIOCore
import Testing

@testable import TaoGate

/// Attacks through request bodies and headers, each driven against a live gateway.
@Suite("Security: requests")
struct RequestSecurityTests {
    @Test(
        "A model name with a control character is refused on every route and never forwarded",
        arguments: [
            ("/v1/chat/completions", #"{"model":"gpt-4o\u0000","messages":[{"role":"user","content":"hi"}]}"#),
            ("/v1/messages", #"{"model":"claude-sonnet-4-6\u0000","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#),
            ("/api/chat", #"{"message":"hi","model":"gpt-4o\u0000"}"#),
            ("/v1/chat/completions", #"{"model":"gpt\n4o","messages":[{"role":"user","content":"hi"}]}"#),
        ]
    )
    func controlCharactersInModelsAreRefused(path: String, body: String) async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post(path, json: body)
            #expect(response.status == 400)
            #expect(gateway.mock.received.isEmpty)
        }
    }

    @Test(
        "A body that says stream or model twice is refused, so the gateway and the provider cannot read different requests",
        arguments: [
            ("/v1/chat/completions", #"{"stream":false,"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"model":"other"}"#),
            (
                "/v1/messages",
                #"{"model":"claude-sonnet-4-6","max_tokens":5,"stream":false,"messages":[{"role":"user","content":"hi"}],"stream":true}"#
            ),
            (
                "/v1/chat/completions",
                #"{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":false,"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"#
            ),
        ]
    )
    func duplicateMembersAreRefused(path: String, body: String) async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post(path, json: body)
            #expect(response.status == 400)
            #expect(gateway.mock.received.isEmpty)
        }
    }

    @Test(
        "A cross-site POST of text/plain is refused with 415 and never forwarded",
        arguments: ["/api/chat", "/api/chat/stream", "/v1/chat/completions", "/v1/messages"]
    )
    func nonJSONPostsAreRefused(path: String) async throws {
        try await LiveGateway.run { gateway in
            let response = try await TestResponse.send(
                .POST,
                gateway.url + path,
                body: #"{"message":"hi","model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#,
                headers: [("Content-Type", "text/plain")]
            )
            #expect(response.status == 415)
            #expect(response.body.contains("application/json"))
            #expect(gateway.mock.received.isEmpty)
        }
    }

    @Test("A request whose Host is another name (DNS rebinding) is refused on a loopback listener")
    func foreignHostIsRefused() async throws {
        try await LiveGateway.run { gateway in
            let port = gateway.url.split(separator: ":").last!
            let rebound = try await TestResponse.send(.GET, gateway.url + "/api/conversations/alice", headers: [("Host", "evil.example:\(port)")])
            #expect(rebound.status == 403)
            #expect(rebound.json["code"] as? String == "host_not_allowed")
            let local = try await TestResponse.send(.GET, gateway.url + "/api/models", headers: [("Host", "localhost:\(port)")])
            #expect(local.status == 200)
        }
    }

    @Test("A Host is compared by its name in lower case, without its port", arguments: [
        ("Example.com:3000", "example.com"), ("[::1]:3000", "::1"), ("::1", "::1"), ("LOCALHOST", "localhost"),
        ("127.0.0.1", "127.0.0.1"), ("[::1]", "::1"), ("localhost:", "localhost"),
    ])
    func hostNameOfAuthority(authority: String, name: String) {
        #expect(HostCheck.hostName(of: authority) == name)
    }

    @Test("A loopback name in capitals is this gateway's own")
    func capitalisedLoopbackHostIsServed() async throws {
        try await LiveGateway.run { gateway in
            let port = gateway.url.split(separator: ":").last!
            let response = try await TestResponse.send(.GET, gateway.url + "/api/models", headers: [("Host", "LocalHost:\(port)")])
            #expect(response.status == 200)
        }
    }

    @Test("ALLOWED_HOSTS names the hosts a gateway answers to")
    func allowedHostsAreServed() async throws {
        try await LiveGateway.run(["ALLOWED_HOSTS": "gateway.internal"]) { gateway in
            let named = try await TestResponse.send(.GET, gateway.url + "/healthz", headers: [("Host", "gateway.internal:8080")])
            let loopback = try await TestResponse.send(.GET, gateway.url + "/healthz", headers: [("Host", "127.0.0.1")])
            #expect(named.status == 200)
            #expect(loopback.status == 403)
        }
    }

    @Test("Behind a trusted proxy the client is read from the right of X-Forwarded-For, so a forged left entry does not help")
    func forwardedForIsReadFromTheRight() async throws {
        try await LiveGateway.run(["TRUST_PROXY": "1", "RATE_LIMIT_MAX": "1"]) { gateway in
            let first = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: [("X-Forwarded-For", "1.1.1.1, 203.0.113.9")])
            let forged = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#, headers: [("X-Forwarded-For", "2.2.2.2, 203.0.113.9")])
            #expect(first.status == 200)
            #expect(forged.status == 429)
        }
    }

    @Test("With two trusted proxies the client is the second address from the right")
    func twoTrustedHops() {
        #expect(throws: Never.self) { try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "TRUST_PROXY": "2"]) }
        #expect(throws: ConfigurationError.self) { try GatewayConfiguration(values: ["TAOTOKEN_API_KEY": "k", "TRUST_PROXY": "maybe"]) }
    }

    @Test("Reading a user's history is rate limited with the chat routes")
    func conversationsAreRateLimited() async throws {
        try await LiveGateway.run(["RATE_LIMIT_MAX": "2"]) { gateway in
            let statuses = [
                try await gateway.get("/api/conversations/alice").status,
                try await gateway.get("/api/conversations/bob").status,
                try await gateway.get("/api/conversations/carol").status,
            ]
            #expect(statuses == [200, 200, 429])
        }
    }

    @Test("A stream's stored reply is bounded, however much the provider sends")
    func storedReplyIsBounded() async throws {
        try await LiveGateway.run(["MAX_MESSAGE_CHARS": "40"]) { gateway in
            _ = try await gateway.post("/api/chat/stream", json: #"{"message":"tell me everything","userId":"bounded"}"#)
            let stored = try await gateway.stores.conversations.messages(of: "bounded")
            #expect(stored.count == 2)
            #expect(stored[1].content.count <= 40)
        }
    }
}
