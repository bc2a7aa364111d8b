import MockUpstream
import Testing

@Suite("GET /api/models")
struct ModelsRouteTests {
    @Test("Models come from the upstream's /models with the suggested list beside them")
    func modelsComeFromUpstream() async throws {
        try await LiveGateway.run(["SUGGESTED_MODELS": "a,b"]) { gateway in
            let response = try await gateway.get("/api/models")
            #expect(response.status == 200)
            #expect(response.json["success"] as? Bool == true)
            #expect(response.json["models"] as? [String] == MockUpstream.models)
            #expect(response.json["suggested_models"] as? [String] == ["a", "b"])
            #expect(response.json["source"] as? String == "upstream")
        }
    }

    @Test("The upstream's list is cached between calls")
    func upstreamListIsCached() async throws {
        try await LiveGateway.run { gateway in
            _ = try await gateway.get("/api/models")
            _ = try await gateway.get("/api/models")
            #expect(gateway.mock.modelsRequestCount == 1)
        }
    }

    @Test("When the upstream's /models fails the suggested list is served")
    func suggestedListWhenUpstreamFails() async throws {
        try await LiveGateway.run(["SUGGESTED_MODELS": "x,y", "TAOTOKEN_API_KEY": "sk-wrong-000000000000"]) { gateway in
            let response = try await gateway.get("/api/models")
            #expect(response.status == 200)
            #expect(response.json["models"] as? [String] == ["x", "y"])
            #expect(response.json["source"] as? String == "suggested")
        }
    }
}
