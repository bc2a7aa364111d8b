import AsyncHTTPClient
import Foundation
import InMemoryTracing
import Instrumentation
import MockUpstream
import Testing
import Tracing

@testable import TaoGate

/// One in-memory tracer for the whole test process (a tracer can be bootstrapped only once).
/// Tests tell their spans apart by a trace id of their own, sent in the request's headers.
enum TestTracer {
    static let shared: InMemoryTracer = {
        let tracer = InMemoryTracer()
        InstrumentationSystem.bootstrap(tracer)
        return tracer
    }()

    /// A client that does not trace (HTTPClient.shared would add trace headers of its own).
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The headers that make the gateway continue trace `traceID`.
    static func headers(traceID: String) -> [(String, String)] {
        _ = shared
        return [(InMemoryTracer.traceIDKey, traceID), (InMemoryTracer.spanIDKey, "client-span")]
    }

    /// The finished spans of one trace, waiting until at least `count` have ended.
    static func spans(of traceID: String, atLeast count: Int) async throws -> [FinishedInMemorySpan] {
        for _ in 0..<200 {
            let spans = shared.finishedSpans.filter { $0.traceID == traceID }
            if spans.count >= count { return spans }
            try await Task.sleep(for: .milliseconds(10))
        }
        return shared.finishedSpans.filter { $0.traceID == traceID }
    }
}

@Suite("Tracing")
struct TracingTests {
    let chatBody = #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#

    /// A chat call in trace `traceID`, by a client that does not trace itself.
    private func postChat(to gateway: LiveGateway, traceID: String) async throws -> TestResponse {
        try await gateway.post("/v1/chat/completions", json: chatBody, headers: TestTracer.headers(traceID: traceID), client: TestTracer.client)
    }

    @Test("A gateway not told to trace makes no spans, even with a tracer in the process")
    func untracedGatewayMakesNoSpans() async throws {
        let traceID = UUID().uuidString
        try await LiveGateway.run(traced: false) { gateway in
            let response = try await postChat(to: gateway, traceID: traceID)
            #expect(response.status == 200)
            try await Task.sleep(for: .milliseconds(100))
            // The HTTP span of a call to this test's own mock, whatever trace it would be in.
            let callsToThisMock = TestTracer.shared.finishedSpans.filter { span in
                guard case .string(let url) = span.attributes["url.full"]?.toSpanAttribute() else { return false }
                return url.hasPrefix(gateway.mockURL)
            }
            #expect(callsToThisMock.isEmpty)
        }
    }

    @Test("A request's server span holds the upstream call's span, which holds its HTTP span")
    func spansNestRequestUpstreamAndHTTP() async throws {
        let traceID = UUID().uuidString
        try await LiveGateway.run(traced: true) { gateway in
            let response = try await postChat(to: gateway, traceID: traceID)
            #expect(response.status == 200)
            let spans = try await TestTracer.spans(of: traceID, atLeast: 3)
            let server = try #require(spans.first { $0.kind == .server })
            let upstream = try #require(spans.first { $0.operationName.hasPrefix("upstream ") })
            let http = try #require(spans.first { $0.operationName == "POST /chat/completions" })
            #expect(server.operationName == "/v1/chat/completions")
            #expect(server.attributes["http.response.status_code"]?.toSpanAttribute() == .int64(200))
            #expect(upstream.parentSpanID == server.spanID)
            #expect(upstream.attributes["gen_ai.request.model"]?.toSpanAttribute() == .string("gpt-4o"))
            #expect(http.parentSpanID == upstream.spanID)
            #expect(http.kind == .client)
            #expect(http.attributes["http.response.status_code"]?.toSpanAttribute() == .int64(200))
        }
    }

    @Test("Each retry of an upstream call is a span of its own with its resend count")
    func eachRetryIsASpan() async throws {
        let traceID = UUID().uuidString
        try await LiveGateway.run(["UPSTREAM_MAX_RETRIES": "2"], traced: true) { gateway in
            gateway.mock.inject(MockFault(status: 503, times: 2))
            let response = try await postChat(to: gateway, traceID: traceID)
            #expect(response.status == 200)
            let spans = try await TestTracer.spans(of: traceID, atLeast: 5)
            let attempts = spans.filter { $0.operationName == "POST /chat/completions" }
                .sorted { $0.startInstant.nanosecondsSinceEpoch < $1.startInstant.nanosecondsSinceEpoch }
            #expect(attempts.count == 3)
            #expect(attempts.map { $0.attributes["http.request.resend_count"]?.toSpanAttribute() } == [nil, .int64(1), .int64(2)])
            #expect(attempts.map { $0.attributes["http.response.status_code"]?.toSpanAttribute() } == [.int64(503), .int64(503), .int64(200)])
            #expect(attempts[0].errors.count == 1)
        }
    }

    @Test("With PROPAGATE_TRACE_CONTEXT, the upstream receives the trace context of the call that asked it")
    func traceContextReachesTheUpstream() async throws {
        let traceID = UUID().uuidString
        try await LiveGateway.run(["PROPAGATE_TRACE_CONTEXT": "true"], traced: true) { gateway in
            _ = try await postChat(to: gateway, traceID: traceID)
            let spans = try await TestTracer.spans(of: traceID, atLeast: 3)
            let http = try #require(spans.first { $0.operationName == "POST /chat/completions" })
            let received = try #require(gateway.mock.chatHeaders.last)
            #expect(received[InMemoryTracer.traceIDKey] == traceID)
            #expect(received[InMemoryTracer.spanIDKey] == http.spanID)
        }
    }

    @Test("A streamed answer's server span ends only after the stream has been relayed")
    func streamSpanCoversTheStream() async throws {
        let traceID = UUID().uuidString
        try await LiveGateway.run(traced: true) { gateway in
            gateway.mock.inject(MockFault(dripMs: 20))
            let body = #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
            let response = try await gateway.post(
                "/v1/chat/completions",
                json: body,
                headers: TestTracer.headers(traceID: traceID),
                client: TestTracer.client
            )
            #expect(response.body.contains("[DONE]"))
            // The mock waits 20 ms between chunks, so relaying them takes at least that much per
            // gap (the client's own clock would also count a loaded test machine's delays).
            let chunks = response.body.components(separatedBy: "data: {").count - 1
            let dripped = Duration.milliseconds(20 * max(chunks - 1, 0))
            #expect(chunks > 2)
            let spans = try await TestTracer.spans(of: traceID, atLeast: 3)
            let server = try #require(spans.first { $0.kind == .server })
            let serverNanoseconds = server.endInstant.nanosecondsSinceEpoch - server.startInstant.nanosecondsSinceEpoch
            #expect(Duration.nanoseconds(Int64(serverNanoseconds)) >= dripped * 0.9)
        }
    }

    @Test("OTEL_EXPORTER_OTLP_ENDPOINT is read as the trace export endpoint")
    func otlpEndpointIsRead() throws {
        let configuration = try GatewayConfiguration(values: [
            "TAOTOKEN_API_KEY": "sk-test", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
        ])
        #expect(configuration.otlpEndpoint == "http://127.0.0.1:4318")
        #expect(!configuration.tracing)
    }
}
