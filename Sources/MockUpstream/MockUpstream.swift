import Foundation
import HTTPTypes
import Hummingbird
import LLMClient
import Logging
import NIOCore
import Synchronization

/// A fake provider speaking OpenAI's chat completions (`POST /v1/chat/completions`, plain and
/// SSE), Anthropic's messages (`POST /v1/messages`, plain and SSE, and
/// `POST /v1/messages/count_tokens`), OpenAI's responses (`POST /v1/responses`, plain and SSE,
/// `GET`/`DELETE /v1/responses/{id}`), embeddings (`POST /v1/embeddings`) and `GET /v1/models`, answering deterministically from the
/// request (`MockReply`), with injectable faults (`MockFault`).
///
/// It records what it receives so tests can check what a gateway sent upstream (the last 1,000
/// requests of each kind). Control routes for out-of-process use: `POST /mock/faults` (a
/// `MockFault`), `DELETE /mock/faults`, `GET /mock/stats`, `GET /mock/requests` (every model
/// request kept: path, headers, body) and `GET /mock/requests/last` (the last one's body).
public final class MockUpstream: Sendable {
    /// The models `GET /v1/models` lists.
    public static let models = ["claude-sonnet-4-6", "gpt-4o", "qwen-plus", "deepseek-v3"]
    /// How many requests of each kind are kept for inspection.
    static let recordedRequests = 1000

    /// One model request as received.
    public struct Received: Sendable {
        public var path: String
        public var body: String
        /// Header names lowercased.
        public var headers: [String: String]
    }

    struct State {
        var faults: [MockFault] = []
        var chatRequests: [ChatCompletionRequest] = []
        var messagesRequests: [MessagesRequest] = []
        var responsesRequests: [ResponsesRequest] = []
        var storedResponses: [String: StoredMockResponse] = [:]
        var received: [Received] = []
        var abandoned: [Duration] = []
        var modelsRequestCount = 0
        var chatRequestCount = 0
        var authorizations: [String: Int] = [:]
    }

    /// When set, requests without this key (as `Authorization: Bearer` or `x-api-key`) get 401.
    public let requiredAPIKey: String?
    let state = Mutex(State())

    public init(requiredAPIKey: String? = nil) {
        self.requiredAPIKey = requiredAPIKey
    }

    /// Applies `fault` to the next `fault.times` model requests (after faults injected earlier).
    public func inject(_ fault: MockFault) {
        state.withLock { $0.faults.append(fault) }
    }

    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    /// The chat completion requests received (the last 1,000), in order of arrival.
    public var chatRequests: [ChatCompletionRequest] { state.withLock { $0.chatRequests } }
    /// How many chat completion requests arrived in all.
    public var chatRequestCount: Int { state.withLock { $0.chatRequestCount } }
    /// The Anthropic messages requests received (the last 1,000), in order of arrival.
    public var messagesRequests: [MessagesRequest] { state.withLock { $0.messagesRequests } }
    /// The Responses requests received (the last 1,000), in order of arrival.
    public var responsesRequests: [ResponsesRequest] { state.withLock { $0.responsesRequests } }
    public var modelsRequestCount: Int { state.withLock { $0.modelsRequestCount } }
    /// Every model request received (the last 1,000), of any API.
    public var received: [Received] { state.withLock { $0.received } }
    /// The headers of every chat completion request received (names lowercased).
    public var chatHeaders: [[String: String]] { received.filter { $0.path.hasSuffix("/chat/completions") }.map(\.headers) }
    /// Every chat completion body received, exactly as sent.
    public var chatBodies: [String] { received.filter { $0.path.hasSuffix("/chat/completions") }.map(\.body) }
    /// For each request the caller abandoned (closed the connection) while the mock was hanging
    /// or streaming: how long after its start that happened.
    public var abandonedAfter: [Duration] { state.withLock { $0.abandoned } }
    /// The distinct credentials seen (`Bearer …` or `x-api-key …`).
    public var authorizations: Set<String> { state.withLock { Set($0.authorizations.keys) } }
    /// How many requests carried each credential.
    public var authorizationCounts: [String: Int] { state.withLock { $0.authorizations } }

    /// The routes, for embedding the mock in another application.
    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/v1/chat/completions") { request, context in
            try await self.chatCompletion(request, context: context)
        }
        router.post("/v1/messages") { request, context in
            try await self.message(request, context: context)
        }
        router.post("/v1/messages/count_tokens") { request, context in
            try await self.countTokens(request, context: context)
        }
        router.post("/v1/responses") { request, context in
            try await self.response(request, context: context)
        }
        router.get("/v1/responses/{id}") { request, context in
            self.storedResponse(request, context: context, delete: false)
        }
        router.delete("/v1/responses/{id}") { request, context in
            self.storedResponse(request, context: context, delete: true)
        }
        router.post("/v1/embeddings") { request, context in
            try await self.embeddings(request, context: context)
        }
        router.get("/v1/models") { request, _ in
            if let denied = self.checkAuthorization(request, anthropic: false) { return denied }
            self.state.withLock { $0.modelsRequestCount += 1 }
            let list = ModelList(data: Self.models.map { ModelList.Model(id: $0, created: 1_700_000_000, ownedBy: "mock") })
            return Self.json(list)
        }
        router.post("/mock/faults") { request, context in
            let fault = try await request.decode(as: MockFault.self, context: context)
            self.inject(fault)
            return Response(status: .noContent)
        }
        router.delete("/mock/faults") { _, _ in
            self.clearFaults()
            return Response(status: .noContent)
        }
        router.get("/mock/stats") { _, _ in
            Self.json(
                self.state.withLock {
                    MockStats(chatRequests: $0.chatRequestCount, messagesRequests: $0.messagesRequests.count, modelsRequests: $0.modelsRequestCount)
                }
            )
        }
        router.get("/mock/requests") { _, _ in
            Self.json(self.received.map { MockReceivedReport(path: $0.path, headers: $0.headers, body: $0.body) })
        }
        router.get("/mock/requests/last") { _, _ in
            let body = self.state.withLock { $0.received.last?.body } ?? "null"
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        return router
    }

    /// An application serving the mock on `host:port` (port 0 picks a free one; `onServerRunning` tells which).
    public func makeApplication(
        host: String = "127.0.0.1",
        port: Int = 0,
        logger: Logger = Logger(label: "MockUpstream"),
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "MockUpstream"),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }

    // MARK: - Shared steps

    /// Records a model request and takes the fault that applies to it: the first one injected,
    /// except that a scripted tool call waits for a request that offers its tool.
    func receive(_ request: Request, body: ByteBuffer, offers tools: [String], note: (inout State) -> Void) -> MockFault? {
        let received = Received(
            path: request.uri.path,
            body: String(buffer: body),
            headers: Dictionary(request.headers.map { ($0.name.canonicalName, $0.value) }, uniquingKeysWith: { first, _ in first })
        )
        return state.withLock { state -> MockFault? in
            note(&state)
            state.received.append(received)
            Self.trim(&state.received)
            Self.trim(&state.chatRequests)
            Self.trim(&state.messagesRequests)
            Self.trim(&state.responsesRequests)
            if state.storedResponses.count > Self.recordedRequests, let oldest = state.storedResponses.keys.first {
                state.storedResponses[oldest] = nil
            }
            guard let index = state.faults.firstIndex(where: { fault in fault.callTool.map { tools.contains($0.name) } ?? true }) else {
                return nil
            }
            let fault = state.faults[index]
            let remaining = (fault.times ?? 1) - 1
            if remaining > 0 {
                state.faults[index].times = remaining
            } else {
                state.faults.remove(at: index)
            }
            return fault
        }
    }

    private static func trim<Element>(_ list: inout [Element]) {
        if list.count > recordedRequests { list.removeFirst(list.count - recordedRequests) }
    }

    /// Applies a fault's delay, hang and status; returns the answer that replaces the normal one.
    func applyFault(_ fault: MockFault?, to request: Request, anthropic: Bool) async throws -> Response? {
        if let delay = fault?.delayMs { try await Task.sleep(for: .milliseconds(delay)) }
        if let fault, fault.hang == true {
            // Hang until the time is up or the caller goes away; the latter is counted.
            let started = ContinuousClock.now
            do {
                try await request.body.consumeWithCancellationOnInboundClose { _ in
                    try await Task.sleep(for: fault.hangDuration)
                }
            } catch is CancellationError {
                let waited = ContinuousClock.now - started
                state.withLock { $0.abandoned.append(waited) }
                throw CancellationError()
            }
            return Self.error(status: .gatewayTimeout, message: "mock hang ended", anthropic: anthropic)
        }
        if let status = fault?.status {
            var response = Self.error(
                status: HTTPResponse.Status(code: status),
                message: fault?.message ?? "mock upstream failure \(status)",
                anthropic: anthropic
            )
            if let retryAfter = fault?.retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        }
        return nil
    }

    /// Notes that a caller went away mid-stream.
    func noteAbandoned(after started: ContinuousClock.Instant) {
        let waited = ContinuousClock.now - started
        state.withLock { $0.abandoned.append(waited) }
    }

    /// Checks the key (Bearer or `x-api-key`) when one is required.
    func checkAuthorization(_ request: Request, anthropic: Bool) -> Response? {
        let bearer = request.headers[.authorization]
        let apiKey = request.headers[HTTPField.Name("x-api-key")!]
        let credential = bearer ?? apiKey.map { "x-api-key \($0)" } ?? ""
        state.withLock { $0.authorizations[credential, default: 0] += 1 }
        guard let requiredAPIKey else { return nil }
        guard bearer == "Bearer \(requiredAPIKey)" || apiKey == requiredAPIKey else {
            return Self.error(status: .unauthorized, message: "Incorrect API key provided.", anthropic: anthropic)
        }
        return nil
    }

    static func json(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An error in OpenAI's shape, or Anthropic's.
    static func error(status: HTTPResponse.Status, message: String, anthropic: Bool) -> Response {
        var response: Response
        if anthropic {
            let type =
                switch status.code {
                case 400: "invalid_request_error"
                case 401: "authentication_error"
                case 404: "not_found_error"
                case 429: "rate_limit_error"
                case 529: "overloaded_error"
                default: "api_error"
                }
            response = json(AnthropicErrorBody(error: .init(type: type, message: message)))
        } else {
            let type = status.code == 429 ? "rate_limit_error" : (status.code < 500 ? "invalid_request_error" : "server_error")
            response = json(OpenAIErrorBody(error: .init(message: message, type: type, code: String(status.code))))
        }
        response.status = status
        return response
    }

    /// The SSE framing of one event, with the fault's comments and line ends.
    static func event(_ data: String, name: String? = nil, fault: MockFault) -> ByteBuffer {
        let newline = fault.crlf == true ? "\r\n" : "\n"
        let comment = fault.comments == true ? ": ping\(newline)\(newline)" : ""
        let event = name.map { "event: \($0)\(newline)" } ?? ""
        return ByteBuffer(string: "\(comment)\(event)data: \(data)\(newline)\(newline)")
    }
}

/// Thrown inside a streamed body to drop the connection mid-stream.
struct MockConnectionCut: Error {}
