import Foundation
import LLMClient
import MockUpstream
import Testing

@testable import TaoGate

@Suite("POST /api/chat")
struct ChatRouteTests {
    @Test("A chat answers with the upstream's reply, usage and model")
    func chatAnswersWithUpstreamReply() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/api/chat", json: #"{"message":"Hello, gateway"}"#)
            #expect(response.status == 200)
            let sent = try #require(gateway.mock.chatRequests.first)
            let json = response.json
            #expect(json["success"] as? Bool == true)
            #expect(json["response"] as? String == MockReply.text(for: sent))
            #expect(json["model"] as? String == sent.model)
            let usage = try #require(json["usage"] as? [String: Any])
            let expected = MockReply.usage(for: sent)
            #expect(usage["prompt_tokens"] as? Int == expected.promptTokens)
            #expect(usage["completion_tokens"] as? Int == expected.completionTokens)
            #expect(usage["total_tokens"] as? Int == expected.totalTokens)
        }
    }

    @Test("Without options the upstream call uses temperature 0.7, max_tokens 1000 and DEFAULT_MODEL")
    func upstreamCallUsesDefaults() async throws {
        try await LiveGateway.run(["DEFAULT_MODEL": "qwen-plus"]) { gateway in
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(sent.model == "qwen-plus")
            #expect(sent.temperature == 0.7)
            #expect(sent.maxTokens == 1000)
            #expect(sent.messages == [.user("hi")])
        }
    }

    @Test("Model, temperature, max_tokens and system from the request reach the upstream")
    func requestOptionsReachUpstream() async throws {
        try await LiveGateway.run { gateway in
            let body = #"{"message":"hi","model":"gpt-4o","temperature":0.2,"max_tokens":50,"system":"Be brief."}"#
            let response = try await gateway.post("/api/chat", json: body)
            #expect(response.status == 200)
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(sent.model == "gpt-4o")
            #expect(sent.temperature == 0.2)
            #expect(sent.maxTokens == 50)
            #expect(sent.messages == [.system("Be brief."), .user("hi")])
        }
    }

    @Test("The upstream call carries the configured key as a Bearer token")
    func upstreamCallCarriesTheKey() async throws {
        try await LiveGateway.run { gateway in
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            #expect(gateway.mock.authorizations == ["Bearer \(testUpstreamKey)"])
        }
    }

    @Test("GET /healthz answers 200")
    func healthzAnswers() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.get("/healthz")
            #expect(response.status == 200)
            #expect(response.json["status"] as? String == "ok")
        }
    }

    @Test("Every answer carries an X-Request-ID, the client's own when it sends a sane one")
    func answersCarryRequestID() async throws {
        try await LiveGateway.run { gateway in
            let own = try await gateway.get("/healthz", headers: [("X-Request-ID", "abc-123")])
            #expect(own.header("X-Request-ID") == "abc-123")
            let generated = try await gateway.get("/healthz", headers: [("X-Request-ID", "bad id with spaces")])
            let id = try #require(generated.header("X-Request-ID"))
            #expect(id.count == 16 && id != "bad id with spaces")
        }
    }
}

@Suite("The reference API's reply")
struct ReferenceReplyTests {
    @Test("A reply is one JSON object, its text escaped wherever it needs to be")
    func replyIsEscapedJSON() throws {
        let text = "line\nbreak \"quoted\" back\\slash \u{1} é 直接 😀"
        let reply = ChatController.Reply(
            success: true,
            response: text,
            usage: .init(prompt_tokens: 3, completion_tokens: 5, total_tokens: 8),
            model: "m\"odel"
        )
        let object = try #require(try JSONSerialization.jsonObject(with: Data(reply.json.readableBytesView)) as? [String: Any])
        #expect(object["success"] as? Bool == true)
        #expect(object["response"] as? String == text)
        #expect(object["model"] as? String == "m\"odel")
        let usage = try #require(object["usage"] as? [String: Any])
        #expect(usage["prompt_tokens"] as? Int == 3)
        #expect(usage["completion_tokens"] as? Int == 5)
        #expect(usage["total_tokens"] as? Int == 8)
        #expect(object.count == 4)
    }
}
