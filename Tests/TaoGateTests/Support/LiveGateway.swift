import AsyncHTTPClient
import Foundation
import Hummingbird
import LLMClient
import Logging
import MockUpstream
import NIOCore
import NIOHTTP1
import Synchronization
import TaoGate

/// The upstream key every live test configures; tests check it never leaks.
let testUpstreamKey = "sk-test-upstream-0123456789abcdef"

/// A TaoGate instance on 127.0.0.1 in front of a MockUpstream of its own, both live on free ports.
struct LiveGateway: Sendable {
    let mock: MockUpstream
    let url: String
    let mockURL: String
    let logs: MemoryLogWriter
    let stores: GatewayStores

    /// Runs `body` against a fresh gateway + mock, configured with `settings` on top of test
    /// defaults; `traced` turns on request spans (for a tracer the test bootstrapped).
    static func run<T: Sendable>(
        _ settings: [String: String] = [:],
        traced: Bool = false,
        _ body: @escaping @Sendable (LiveGateway) async throws -> T
    ) async throws -> T {
        try await withMocks(count: 1) { mocks, urls in
            try await run(settings, traced: traced, mock: mocks[0], mockURL: urls[0], body)
        }
    }

    private static func run<T: Sendable>(
        _ settings: [String: String],
        traced: Bool = false,
        mock: MockUpstream,
        mockURL: String,
        _ body: @Sendable (LiveGateway) async throws -> T
    ) async throws -> T {
        var values = [
            "TAOTOKEN_API_KEY": testUpstreamKey,
            "TAOTOKEN_BASE_URL": mockURL,
            "HOST": "127.0.0.1",
            "PORT": "0",
            "UPSTREAM_RETRY_BASE_MS": "1",
            "DATABASE_URL": "memory:",
        ]
        values.merge(settings) { $1 }
        var configuration = try GatewayConfiguration(values: values)
        configuration.tracing = traced
        let logs = MemoryLogWriter()
        let logger = Logger(label: "taogate-test") { _ in
            GatewayLogHandler(level: configuration.logLevel, format: configuration.logFormat == .text ? .text : .json, writers: [logs])
        }
        let stores = try await GatewayStores.open(configuration.database, logger: logger)
        let makeGateway = { onRunning in
            buildApplication(configuration: configuration, stores: stores, logger: logger, onServerRunning: onRunning)
        }
        return try await withLiveServer(makeGateway) { port in
            try await body(LiveGateway(mock: mock, url: "http://127.0.0.1:\(port)", mockURL: mockURL, logs: logs, stores: stores))
        }
    }

    /// Runs `body` against a gateway routing over `mockCount` MockUpstreams (each requiring
    /// `testUpstreamKey`), with the providers file that `providers` writes from their base URLs.
    static func run<T: Sendable>(
        mocks mockCount: Int,
        providers: @escaping @Sendable ([String]) -> String,
        _ settings: [String: String] = [:],
        _ body: @escaping @Sendable (LiveGateway, [MockUpstream]) async throws -> T
    ) async throws -> T {
        try await withMocks(count: mockCount) { mocks, urls in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-providers-\(UUID().uuidString).yaml").path
            try providers(urls).write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            var values = settings
            values["TAOGATE_CONFIG"] = path
            values["TEST_UPSTREAM_KEY"] = testUpstreamKey
            return try await run(values, mock: mocks[0], mockURL: urls[0]) { gateway in try await body(gateway, mocks) }
        }
    }

    private static func withMocks<T: Sendable>(
        count: Int,
        running: [MockUpstream] = [],
        urls: [String] = [],
        _ body: @escaping @Sendable ([MockUpstream], [String]) async throws -> T
    ) async throws -> T {
        if running.count == count { return try await body(running, urls) }
        let mock = MockUpstream(requiredAPIKey: testUpstreamKey)
        let mockLogger = Logger(label: "mock") { _ in SwiftLogNoOpLogHandler() }
        let makeMock = { onRunning in mock.makeApplication(logger: mockLogger, onServerRunning: onRunning) }
        return try await withLiveServer(makeMock) { port in
            try await withMocks(count: count, running: running + [mock], urls: urls + ["http://127.0.0.1:\(port)/v1"], body)
        }
    }

    func post(_ path: String, json: String, headers: [(String, String)] = [], client: HTTPClient = .shared) async throws -> TestResponse {
        try await TestResponse.send(.POST, url + path, body: json, headers: [("Content-Type", "application/json")] + headers, client: client)
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> TestResponse {
        try await TestResponse.send(.GET, url + path, headers: headers)
    }

    func delete(_ path: String) async throws -> TestResponse {
        try await TestResponse.send(.DELETE, url + path)
    }

    /// `/metrics` once `count` requests have their log lines: a request is counted just after its
    /// answer has gone (its log line is written last), so a client may ask before it is.
    func metrics(afterRequests count: Int) async throws -> String {
        _ = try await requestLogLines(atLeast: count)
        return try await get("/metrics").body
    }

    /// The request log lines, waiting briefly for a line that is written after an answer has gone.
    func requestLogLines(atLeast count: Int = 1) async throws -> [[String: Any]] {
        for _ in 0..<100 {
            let lines = logs.jsonLines.filter { $0["msg"] as? String == "request" }
            if lines.count >= count { return lines }
            try await Task.sleep(for: .milliseconds(20))
        }
        return logs.jsonLines.filter { $0["msg"] as? String == "request" }
    }
}

/// A response read whole.
struct TestResponse: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: String

    func header(_ name: String) -> String? {
        headers.first(name: name)
    }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    /// The server-sent events of a stream body.
    var events: [ServerSentEvent] {
        var decoder = SSEDecoder()
        return ((try? decoder.decode(Array(body.utf8))) ?? []) + ((try? decoder.finish()) ?? [])
    }

    /// The text of every `{"content":…}` event, joined.
    var streamedText: String {
        events.compactMap { event -> String? in
            guard event.event == nil, event.data != "[DONE]" else { return nil }
            let object = (try? JSONSerialization.jsonObject(with: Data(event.data.utf8))) as? [String: Any]
            return object?["content"] as? String
        }.joined()
    }

    static func send(
        _ method: HTTPMethod,
        _ url: String,
        body: String? = nil,
        headers: [(String, String)] = [],
        timeout: Duration = .seconds(30),
        client: HTTPClient = .shared
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let (seconds, attoseconds) = timeout.components
        let response = try await client.execute(request, timeout: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }
}

/// Collects log lines in memory.
final class MemoryLogWriter: LogLineWriter {
    private let lines = Mutex<[String]>([])
    private let holdsRequestLines = Mutex(false)

    func write(_ line: [UInt8], level: Logger.Level) {
        let text = String(decoding: line.last == UInt8(ascii: "\n") ? line.dropLast() : line[...], as: UTF8.self)
        if text.contains(#""msg":"request""#) { waitWhileHeld() }
        lines.withLock { $0.append(text) }
    }

    /// From now on, writing a request's log line blocks (the writing thread, as a slow disk
    /// would) until `releaseRequestLines()`, or at most 10 s.
    func holdRequestLines() { holdsRequestLines.withLock { $0 = true } }

    func releaseRequestLines() { holdsRequestLines.withLock { $0 = false } }

    private func waitWhileHeld() {
        let deadline = ContinuousClock.now + .seconds(10)
        while holdsRequestLines.withLock({ $0 }), ContinuousClock.now < deadline { usleep(1000) }
    }

    var all: [String] { lines.withLock { $0 } }

    var jsonLines: [[String: Any]] {
        all.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }
}

/// Runs an application until `body` returns, handing `body` the port it listens on.
func withLiveServer<App: ApplicationProtocol, T: Sendable>(
    _ makeApplication: (@escaping @Sendable (any Channel) async -> Void) -> App,
    _ body: @Sendable (Int) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = makeApplication { channel in
        continuation.yield(channel.localAddress?.port ?? 0)
        continuation.finish()
    }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            // An application that stops before it listens ends the wait for its port.
            defer { continuation.finish() }
            try await app.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await group.next()
            throw CancellationError()
        }
        defer { group.cancelAll() }
        return try await body(port)
    }
}
