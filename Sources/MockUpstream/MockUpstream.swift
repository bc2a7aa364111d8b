import Foundation
import HTTPTypes
import Hummingbird
import LLMClient
import Logging
import NIOCore
import Synchronization

/// An OpenAI-compatible fake provider: `POST /v1/chat/completions` (plain and SSE) and
/// `GET /v1/models`, answering deterministically from the request, with injectable faults.
///
/// It records what it receives so tests can check what a gateway sent upstream. Control routes
/// for out-of-process use: `POST /mock/faults` (a `MockFault`), `DELETE /mock/faults`,
/// `GET /mock/stats`, `GET /mock/requests/last` (the last chat body, as received).
public final class MockUpstream: Sendable {
    /// The models `GET /v1/models` lists.
    public static let models = ["claude-sonnet-4-6", "gpt-4o", "qwen-plus", "deepseek-v3"]

    private struct State {
        var faults: [MockFault] = []
        var chatRequests: [ChatCompletionRequest] = []
        var chatBodies: [String] = []
        var chatHeaders: [[String: String]] = []
        var abandoned: [Duration] = []
        var modelsRequestCount = 0
        var authorizations: [String: Int] = [:]
    }

    /// When set, requests without `Authorization: Bearer <key>` get 401.
    public let requiredAPIKey: String?
    private let state = Mutex(State())

    public init(requiredAPIKey: String? = nil) {
        self.requiredAPIKey = requiredAPIKey
    }

    /// Applies `fault` to the next `fault.times` chat requests (after faults injected earlier).
    public func inject(_ fault: MockFault) {
        state.withLock { $0.faults.append(fault) }
    }

    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    /// Every chat completion request received, in order of arrival.
    public var chatRequests: [ChatCompletionRequest] { state.withLock { $0.chatRequests } }
    public var chatRequestCount: Int { state.withLock { $0.chatRequests.count } }
    public var modelsRequestCount: Int { state.withLock { $0.modelsRequestCount } }
    /// The headers of every chat completion request received (names lowercased).
    public var chatHeaders: [[String: String]] { state.withLock { $0.chatHeaders } }
    /// For each request the caller abandoned (closed the connection) while the mock was hanging
    /// or streaming: how long after its start that happened.
    public var abandonedAfter: [Duration] { state.withLock { $0.abandoned } }
    /// Every chat completion body received, exactly as sent.
    public var chatBodies: [String] { state.withLock { $0.chatBodies } }
    /// The distinct Authorization header values seen.
    public var authorizations: Set<String> { state.withLock { Set($0.authorizations.keys) } }
    /// How many requests carried each Authorization header value.
    public var authorizationCounts: [String: Int] { state.withLock { $0.authorizations } }

    /// The routes, for embedding the mock in another application.
    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/v1/chat/completions") { request, context in
            try await self.chatCompletion(request, context: context)
        }
        router.get("/v1/models") { request, _ in
            if let denied = self.checkAuthorization(request) { return denied }
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
            Self.json(self.state.withLock { MockStats(chatRequests: $0.chatRequests.count, modelsRequests: $0.modelsRequestCount) })
        }
        router.get("/mock/requests/last") { _, _ in
            let body = self.state.withLock { $0.chatBodies.last } ?? "null"
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

    // MARK: - Chat completions

    private func chatCompletion(_ request: Request, context: BasicRequestContext) async throws -> Response {
        if let denied = checkAuthorization(request) { return denied }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let chat: ChatCompletionRequest
        do {
            chat = try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(body.readableBytesView))
        } catch {
            return Self.error(status: .badRequest, message: "invalid chat completion request", type: "invalid_request_error")
        }
        let fault = state.withLock { state -> MockFault? in
            state.chatRequests.append(chat)
            state.chatBodies.append(String(buffer: body))
            state.chatHeaders.append(
                Dictionary(request.headers.map { ($0.name.canonicalName, $0.value) }, uniquingKeysWith: { first, _ in first })
            )
            guard !state.faults.isEmpty else { return nil }
            let fault = state.faults[0]
            let remaining = (fault.times ?? 1) - 1
            if remaining > 0 {
                state.faults[0].times = remaining
            } else {
                state.faults.removeFirst()
            }
            return fault
        }

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
            return Self.error(status: .gatewayTimeout, message: "mock hang ended", type: "server_error")
        }
        if let status = fault?.status {
            var response = Self.error(
                status: HTTPResponse.Status(code: status),
                message: fault?.message ?? "mock upstream failure \(status)",
                type: status == 429 ? "rate_limit_error" : (status == 401 ? "invalid_request_error" : "server_error")
            )
            if let retryAfter = fault?.retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        }
        if chat.stream == true {
            return streamResponse(for: chat, fault: fault ?? MockFault())
        }
        let completion = ChatCompletionResponse(
            id: "chatcmpl-mock-\(chatRequestCount)",
            created: Int(Date().timeIntervalSince1970),
            model: chat.model,
            choices: [.init(index: 0, message: .init(content: MockReply.text(for: chat)), finishReason: "stop")],
            usage: MockReply.usage(for: chat)
        )
        return Self.json(completion)
    }

    private func streamResponse(for chat: ChatCompletionRequest, fault: MockFault) -> Response {
        let newline = fault.crlf == true ? "\r\n" : "\n"
        let created = Int(Date().timeIntervalSince1970)
        let id = "chatcmpl-mock-stream"
        let includeUsage = chat.streamOptions?.includeUsage == true
        @Sendable func event(_ data: String) -> ByteBuffer {
            let comment = fault.comments == true ? ": ping\(newline)\(newline)" : ""
            return ByteBuffer(string: "\(comment)data: \(data)\(newline)\(newline)")
        }
        @Sendable func chunk(_ delta: ChatCompletionChunk.Delta, finish: String? = nil, usage: Usage? = nil, choices: Bool = true) -> ByteBuffer {
            let value = ChatCompletionChunk(
                id: id,
                created: created,
                model: chat.model,
                choices: choices ? [.init(index: 0, delta: delta, finishReason: finish)] : [],
                usage: usage
            )
            let data = (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return event(data)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                let started = ContinuousClock.now
                do {
                    if let size = fault.longLineBytes {
                        let text = String(repeating: "x", count: size)
                        try await writer.write(chunk(.init(content: text)))
                    }
                    try await writer.write(chunk(.init(role: "assistant", content: "")))
                    for (index, piece) in MockReply.pieces(for: chat).enumerated() {
                        if fault.cutAfterChunks == index { throw MockConnectionCut() }
                        if fault.truncateAfterChunks == index {
                            try await writer.write(ByteBuffer(string: "data: {\"id\":\"chatcmpl-mock-stream\",\"choi"))
                            throw MockConnectionCut()
                        }
                        if fault.hangAfterChunks == index {
                            try await Task.sleep(for: fault.hangDuration)
                            throw MockConnectionCut()
                        }
                        if fault.garbageAfterChunks == index { try await writer.write(event("this is not json")) }
                        if let drip = fault.dripMs { try await Task.sleep(for: .milliseconds(drip)) }
                        try await writer.write(chunk(.init(content: piece)))
                    }
                    try await writer.write(chunk(.init(), finish: "stop"))
                    if includeUsage {
                        try await writer.write(chunk(.init(), usage: MockReply.usage(for: chat), choices: false))
                    }
                    if fault.omitDone != true { try await writer.write(event("[DONE]")) }
                } catch let error where !(error is MockConnectionCut) {
                    // A write failed or the task was cancelled: the caller went away.
                    let waited = ContinuousClock.now - started
                    self.state.withLock { $0.abandoned.append(waited) }
                    throw error
                }
                try await writer.finish(nil)
            }
        )
    }

    private func checkAuthorization(_ request: Request) -> Response? {
        let header = request.headers[.authorization] ?? ""
        state.withLock { $0.authorizations[header, default: 0] += 1 }
        guard let requiredAPIKey else { return nil }
        guard header == "Bearer \(requiredAPIKey)" else {
            return Self.error(status: .unauthorized, message: "Incorrect API key provided.", type: "invalid_request_error")
        }
        return nil
    }

    private static func json(_ value: some Encodable) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    private static func error(status: HTTPResponse.Status, message: String, type: String) -> Response {
        let body = OpenAIErrorBody(error: .init(message: message, type: type, code: String(status.code)))
        var response = json(body)
        response.status = status
        return response
    }
}

/// `GET /mock/stats`
struct MockStats: Encodable {
    let chatRequests: Int
    let modelsRequests: Int

    enum CodingKeys: String, CodingKey {
        case chatRequests = "chat_requests"
        case modelsRequests = "models_requests"
    }
}

/// Thrown inside a streamed body to drop the connection mid-stream.
struct MockConnectionCut: Error {}
