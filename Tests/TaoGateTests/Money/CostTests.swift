import Foundation
import LLMClient
import MockUpstream
import Testing

@testable import TaoGate

/// Prices with a different number for each kind of token, so that a cost shows which counts it used.
let distinctPrices = """
      currency: CNY
      models:
        gpt-4o: { input: 1, output: 8, cached_input: 0.25, cache_write: 2, reasoning: 32 }
        claude-sonnet-4-6: { input: 1, output: 8, cached_input: 0.25, cache_write: 2, reasoning: 32 }

    """

/// The cost of counts at `distinctPrices`, worked out here rather than by the gateway's code.
func distinctPricesCost(_ usage: TokenUsage) -> Double {
    let uncached = usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens
    let plainOutput = usage.outputTokens - usage.reasoningTokens
    return
        (Double(uncached) * 1 + Double(usage.cacheReadTokens) * 0.25 + Double(usage.cacheWriteTokens) * 2
        + Double(plainOutput) * 8 + Double(usage.reasoningTokens) * 32) / 1_000_000
}

/// One way a client calls, and what the mock reports for it.
struct CostCase: Sendable, CustomTestStringConvertible {
    enum Upstream: Sendable { case chat, messages, responses }

    let name: String
    let path: String
    let body: String
    /// TAOTOKEN_APIS: what the provider speaks natively.
    let apis: String
    let upstream: Upstream

    var testDescription: String { name }

    static let chatMessages =
        #"[{"role":"user","content":"an earlier question here"},{"role":"assistant","content":"an earlier answer"},{"role":"user","content":"and now the real question"}]"#
    static let anthropicMessages =
        #"[{"role":"user","content":[{"type":"text","text":"an earlier question here","cache_control":{"type":"ephemeral"}}]},{"role":"assistant","content":"an earlier answer"},{"role":"user","content":"and now the real question"}]"#
    static let responsesInput =
        #"[{"role":"user","content":"an earlier question here"},{"role":"assistant","content":"an earlier answer"},{"role":"user","content":"and now the real question"}]"#

    static let all: [CostCase] = [
        .init(
            name: "chat",
            path: "/v1/chat/completions",
            body: #"{"model":"gpt-4o","reasoning_effort":"low","messages":\#(chatMessages)}"#,
            apis: "chat",
            upstream: .chat
        ),
        .init(
            name: "chat streamed",
            path: "/v1/chat/completions",
            body: #"{"model":"gpt-4o","stream":true,"reasoning_effort":"low","messages":\#(chatMessages)}"#,
            apis: "chat",
            upstream: .chat
        ),
        .init(
            name: "messages native",
            path: "/v1/messages",
            body:
                #"{"model":"claude-sonnet-4-6","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":1024},"messages":\#(anthropicMessages)}"#,
            apis: "chat,messages",
            upstream: .messages
        ),
        .init(
            name: "messages native streamed",
            path: "/v1/messages",
            body:
                #"{"model":"claude-sonnet-4-6","max_tokens":2000,"stream":true,"thinking":{"type":"enabled","budget_tokens":1024},"messages":\#(anthropicMessages)}"#,
            apis: "chat,messages",
            upstream: .messages
        ),
        .init(
            name: "messages translated to chat",
            path: "/v1/messages",
            body:
                #"{"model":"claude-sonnet-4-6","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":1024},"messages":\#(anthropicMessages)}"#,
            apis: "chat",
            upstream: .chat
        ),
        .init(
            name: "messages translated to chat, streamed",
            path: "/v1/messages",
            body:
                #"{"model":"claude-sonnet-4-6","max_tokens":2000,"stream":true,"thinking":{"type":"enabled","budget_tokens":1024},"messages":\#(anthropicMessages)}"#,
            apis: "chat",
            upstream: .chat
        ),
        .init(
            name: "responses native",
            path: "/v1/responses",
            body: #"{"model":"gpt-4o","reasoning":{"effort":"low"},"input":\#(responsesInput)}"#,
            apis: "chat,responses",
            upstream: .responses
        ),
        .init(
            name: "responses native streamed",
            path: "/v1/responses",
            body: #"{"model":"gpt-4o","stream":true,"reasoning":{"effort":"low"},"input":\#(responsesInput)}"#,
            apis: "chat,responses",
            upstream: .responses
        ),
        .init(
            name: "responses translated to chat",
            path: "/v1/responses",
            body: #"{"model":"gpt-4o","reasoning":{"effort":"low"},"input":\#(responsesInput)}"#,
            apis: "chat",
            upstream: .chat
        ),
        .init(
            name: "responses translated to chat, streamed",
            path: "/v1/responses",
            body: #"{"model":"gpt-4o","stream":true,"reasoning":{"effort":"low"},"input":\#(responsesInput)}"#,
            apis: "chat",
            upstream: .chat
        ),
        .init(
            name: "reference chat",
            path: "/api/chat",
            body: #"{"message":"a question for the reference API","model":"gpt-4o"}"#,
            apis: "chat",
            upstream: .chat
        ),
        .init(
            name: "reference chat streamed",
            path: "/api/chat/stream",
            body: #"{"message":"a question for the reference API","model":"gpt-4o"}"#,
            apis: "chat",
            upstream: .chat
        ),
    ]

    /// The counts the mock reported for the request it received, in the neutral convention.
    func reported(by mock: MockUpstream) throws -> TokenUsage {
        switch upstream {
        case .chat:
            let usage = MockReply.usage(for: try #require(mock.chatRequests.last))
            return TokenUsage(
                inputTokens: usage.promptTokens,
                outputTokens: usage.completionTokens,
                cacheReadTokens: usage.cachedTokens ?? 0,
                reasoningTokens: usage.reasoningTokens ?? 0
            )
        case .messages:
            let usage = MockReply.usage(for: try #require(mock.messagesRequests.last), marksCache: body.contains("cache_control"))
            let read = usage.cacheReadInputTokens ?? 0
            let written = usage.cacheCreationInputTokens ?? 0
            return TokenUsage(
                inputTokens: (usage.inputTokens ?? 0) + read + written,
                outputTokens: usage.outputTokens ?? 0,
                cacheReadTokens: read,
                cacheWriteTokens: written
            )
        case .responses:
            let usage = MockReply.usage(for: try #require(mock.responsesRequests.last))
            return TokenUsage(
                inputTokens: usage.inputTokens,
                outputTokens: usage.outputTokens,
                cacheReadTokens: usage.cachedTokens,
                reasoningTokens: usage.reasoningTokens
            )
        }
    }
}

@Suite("Cost of each request")
struct CostTests {
    @Test(
        "A usage row's cost comes from the counts the provider reported, cached, cache-write and reasoning tokens included",
        arguments: CostCase.all
    )
    func rowCostFollowsReportedCounts(_ call: CostCase) async throws {
        try await LiveGateway.run(pricing: distinctPrices, ["TAOTOKEN_APIS": call.apis]) { gateway, _ in
            let response = try await gateway.post(call.path, json: call.body)
            #expect(response.status == 200, "\(response.body.prefix(300))")
            let reported = try call.reported(by: gateway.mock)
            let row = try #require(try await gateway.usageRows().last)
            #expect(row.promptTokens == reported.inputTokens)
            #expect(row.completionTokens == reported.outputTokens)
            #expect(row.cacheReadTokens == reported.cacheReadTokens)
            #expect(row.cacheWriteTokens == reported.cacheWriteTokens)
            #expect(row.reasoningTokens == reported.reasoningTokens)
            #expect(row.currency == .CNY)
            #expect(abs((row.cost ?? -1) - distinctPricesCost(reported)) < 1e-12)
        }
    }

    @Test("The cases cover cached, cache-write and reasoning tokens")
    func casesCoverEveryKind() async throws {
        try await LiveGateway.run(pricing: distinctPrices, ["TAOTOKEN_APIS": "chat,messages"]) { gateway, _ in
            _ = try await gateway.post(CostCase.all[0].path, json: CostCase.all[0].body)
            _ = try await gateway.post(CostCase.all[2].path, json: CostCase.all[2].body)
            let rows = try await gateway.usageRows(atLeast: 2)
            #expect(rows[0].cacheReadTokens > 0 && rows[0].reasoningTokens > 0)
            #expect(rows[1].cacheWriteTokens > 0 && rows[1].cacheReadTokens > 0)
        }
    }

    @Test("The request's log line carries its cost and currency")
    func logLineHasCost() async throws {
        try await LiveGateway.run(pricing: distinctPrices) { gateway, _ in
            let call = CostCase.all[0]
            _ = try await gateway.post(call.path, json: call.body)
            let line = try #require(try await gateway.requestLogLines().first)
            let logged = try #require(line["cost"] as? Double)
            #expect(abs(logged - distinctPricesCost(try call.reported(by: gateway.mock))) < 1e-9)
            #expect(line["currency"] as? String == "CNY")
        }
    }

    @Test("A model without a price has cost null, never 0, and /metrics counts it")
    func unpricedModelHasNoCost() async throws {
        try await LiveGateway.run(pricing: distinctPrices) { gateway, _ in
            let response = try await gateway.post("/v1/chat/completions", json: #"{"model":"qwen-plus","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(response.status == 200)
            let row = try #require(try await gateway.usageRows().last)
            #expect(row.cost == nil)
            #expect(row.currency == nil)
            #expect(row.totalTokens > 0)
            let metrics = try await gateway.metrics(afterRequests: 1)
            #expect(metrics.contains(#"taogate_unpriced_requests_total{model="qwen-plus"} 1"#))
            let line = try #require(try await gateway.requestLogLines().first)
            #expect(line["cost"] as? String == "unpriced")
        }
    }

    @Test("/metrics has taogate_cost_total by model, key and currency")
    func costMetric() async throws {
        let key = "tg-cost-metric-key-aaaaaaaaaaaaaaaaaaaa"
        try await LiveGateway.run(pricing: distinctPrices, ["TAOGATE_API_KEYS": key]) { gateway, _ in
            let call = CostCase.all[0]
            _ = try await gateway.post(call.path, json: call.body, headers: [("x-api-key", key)])
            let expected = distinctPricesCost(try call.reported(by: gateway.mock))
            let line = try #require(
                try await gateway.metrics(afterRequests: 1).split(separator: "\n").first { $0.hasPrefix("taogate_cost_total{") }
            )
            #expect(
                line.contains(#"model="gpt-4o""#) && line.contains(#"key="\#(ClientKeys.configuredID(of: key))""#)
                    && line.contains(#"currency="CNY""#)
            )
            #expect(abs((Double(line.split(separator: " ").last ?? "") ?? -1) - expected) < 1e-9)
        }
    }

    @Test("Usage totals add the costs of their rows, per currency")
    func totalsAddCosts() async throws {
        try await LiveGateway.run(pricing: distinctPrices) { gateway, _ in
            let call = CostCase.all[0]
            _ = try await gateway.post(call.path, json: call.body)
            _ = try await gateway.post(call.path, json: call.body)
            _ = try await gateway.post("/v1/chat/completions", json: #"{"model":"qwen-plus","messages":[{"role":"user","content":"hi"}]}"#)
            let rows = try await gateway.usageRows(atLeast: 3)
            let totals = try await gateway.stores.usage.totals(from: .distantPast, to: .distantFuture, groupBy: .key)
            let total = try #require(totals.first)
            #expect(abs((total.cost["CNY"] ?? 0) - rows.compactMap(\.cost).reduce(0, +)) < 1e-12)
            #expect(total.unpricedRequests == 1)
        }
    }

    @Test("A price reload applies to later requests and never changes a cost already written")
    func reloadKeepsHistory() async throws {
        try await LiveGateway.run(pricing: distinctPrices, ["TAOGATE_ADMIN_KEY": "admin-key-for-tests"]) { gateway, path in
            let call = CostCase.all[0]
            _ = try await gateway.post(call.path, json: call.body)
            let before = try #require(try await gateway.usageRows().last?.cost)
            try "pricing:\n  currency: CNY\n  models:\n    gpt-4o: { input: 100, output: 800 }\n".write(
                toFile: path,
                atomically: true,
                encoding: .utf8
            )
            let reload = try await gateway.post("/admin/pricing/reload", json: "{}", headers: [("Authorization", "Bearer admin-key-for-tests")])
            #expect(reload.status == 200)
            _ = try await gateway.post(call.path, json: call.body)
            let rows = try await gateway.usageRows(atLeast: 2)
            #expect(rows[0].cost == before)
            let reported = try call.reported(by: gateway.mock)
            #expect(abs((rows[1].cost ?? 0) - Double(reported.inputTokens * 100 + reported.outputTokens * 800) / 1_000_000) < 1e-12)
        }
    }

    @Test("A reload from a file that does not read is refused and the prices in force stay")
    func badReloadIsRefused() async throws {
        try await LiveGateway.run(pricing: distinctPrices, ["TAOGATE_ADMIN_KEY": "admin-key-for-tests"]) { gateway, path in
            try "pricing:\n  currency: EUR\n".write(toFile: path, atomically: true, encoding: .utf8)
            let reload = try await gateway.post("/admin/pricing/reload", json: "{}", headers: [("Authorization", "Bearer admin-key-for-tests")])
            #expect(reload.status == 400)
            let call = CostCase.all[0]
            _ = try await gateway.post(call.path, json: call.body)
            let row = try #require(try await gateway.usageRows().last)
            #expect(abs((row.cost ?? 0) - distinctPricesCost(try call.reported(by: gateway.mock))) < 1e-12)
        }
    }
}
