import Foundation
import Instrumentation
import Logging
import NIOCore
import NIOHTTP1
import Tracing

/// The HTTP side of one provider key: its base URL and credentials, retries with backoff,
/// timeouts, error answers read into `ProviderError`, and a client span per attempt.
///
/// Bodies go out as given and come back as bytes (or server-sent events): the typed providers
/// (`OpenAICompatibleProvider`, `AnthropicCompatibleProvider`) and the gateway's translations sit
/// on top. Every HTTP attempt is a client span (swift-distributed-tracing) whose context travels
/// to the upstream in its headers; a retry's span carries `http.request.resend_count`.
public final class ProviderClient: Sendable {
    /// How the key is presented: `Authorization: Bearer <key>` (OpenAI, Taotoken) or
    /// `x-api-key: <key>` (Anthropic).
    public enum Authentication: String, Sendable, Hashable, CaseIterable, Codable {
        case bearer
        case apiKeyHeader = "x-api-key"
    }

    /// How to reach the upstream and how patient to be with it.
    public struct Configuration: Sendable {
        /// The API base, such as `https://taotoken.net/api/v1`; paths such as `/chat/completions` are appended.
        public var baseURL: String
        public var apiKey: String
        public var authentication: Authentication
        /// Bounds one attempt of a plain call end to end, and the wait for a stream's response headers.
        public var timeout: Duration
        public var connectTimeout: Duration
        /// The longest silence allowed between two reads of a stream.
        public var streamIdleTimeout: Duration
        public var retryPolicy: RetryPolicy
        /// Extra headers sent with every request.
        public var headers: [(name: String, value: String)]
        /// The largest plain response body accepted.
        public var maxResponseBytes: Int
        /// The largest single server-sent event accepted in a stream.
        public var maxEventBytes: Int
        /// Connections open at once to the upstream on each event loop (when the client makes
        /// its own transport); requests past it wait for one to come free.
        public var maxConnectionsPerHost: Int
        /// Told of every retry, before its wait (for metrics).
        public var onRetry: (@Sendable (ProviderError) -> Void)?
        /// Whether the trace context of the call (W3C `traceparent`, `tracestate`, baggage) goes
        /// to the provider in its headers.
        public var propagatesTraceContext: Bool
        /// Whether each call is a client span. Without a tracer bootstrapped, a span costs time
        /// and goes nowhere.
        public var traced: Bool

        public init(
            baseURL: String,
            apiKey: String,
            authentication: Authentication = .bearer,
            timeout: Duration = .seconds(30),
            connectTimeout: Duration = .seconds(10),
            streamIdleTimeout: Duration = .seconds(30),
            retryPolicy: RetryPolicy = RetryPolicy(),
            headers: [(name: String, value: String)] = [],
            maxResponseBytes: Int = 32 * 1024 * 1024,
            maxEventBytes: Int = 16 * 1024 * 1024,
            maxConnectionsPerHost: Int = 512,
            onRetry: (@Sendable (ProviderError) -> Void)? = nil,
            propagatesTraceContext: Bool = true,
            traced: Bool = true
        ) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.authentication = authentication
            self.timeout = timeout
            self.connectTimeout = connectTimeout
            self.streamIdleTimeout = streamIdleTimeout
            self.retryPolicy = retryPolicy
            self.headers = headers
            self.maxResponseBytes = maxResponseBytes
            self.maxEventBytes = maxEventBytes
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.onRetry = onRetry
            self.propagatesTraceContext = propagatesTraceContext
            self.traced = traced
        }
    }

    public let configuration: Configuration
    private let transport: UpstreamTransport
    private let ownsTransport: Bool
    /// The base URL read once: where to connect, and the path in front of each request's.
    private let target: (origin: UpstreamOrigin, basePath: String)?
    /// This client's own connections in the transport: a key's calls never ride another's.
    private let pool = UpstreamTransport.newPool()
    private let headers: HTTPHeaders
    private let logger: Logger

    /// - Parameter transport: connection pools to share with other providers; by default the
    ///   client makes its own from `configuration`.
    public init(configuration: Configuration, transport: UpstreamTransport? = nil, logger: Logger = Logger(label: "LLMClient")) {
        self.configuration = configuration
        self.logger = logger
        self.target = UpstreamOrigin.parse(configuration.baseURL)

        var headers = HTTPHeaders()
        switch configuration.authentication {
        case .bearer: headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey)")
        case .apiKeyHeader: headers.add(name: "x-api-key", value: configuration.apiKey)
        }
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        for header in configuration.headers { headers.add(name: header.name, value: header.value) }
        self.headers = headers

        self.ownsTransport = transport == nil
        self.transport =
            transport
            ?? UpstreamTransport(
                configuration: .init(
                    connectTimeout: TimeAmount(configuration.connectTimeout),
                    maxConnectionsPerLoop: configuration.maxConnectionsPerHost
                )
            )
    }

    /// Closes the connection pools, if this client made them.
    public func shutdown() async throws {
        if ownsTransport { await transport.shutdown() }
    }

    /// Posts `body` to `path` (such as `/chat/completions`) and returns the answer's bytes.
    /// `extraHeaders` are added to the configured ones (a client's `anthropic-beta`, say).
    public func post(_ path: String, body: ByteBuffer, extraHeaders: [(String, String)] = []) async throws -> ByteBuffer {
        try await withRetries { attempt in
            let response = try await self.send(.POST, path: path, body: body, extraHeaders: extraHeaders, streams: false, attempt: attempt)
            return try await self.collect(response.body)
        }
    }

    /// Posts a streaming `body` to `path` and returns its events once the upstream has accepted
    /// it. Retries happen only before this returns.
    public func stream(_ path: String, body: ByteBuffer, extraHeaders: [(String, String)] = []) async throws -> ServerSentEventStream {
        // The wait for the response headers is bounded by the request's own deadline.
        try await withRetries { attempt in
            let response = try await self.send(.POST, path: path, body: body, extraHeaders: extraHeaders, streams: true, attempt: attempt)
            return ServerSentEventStream(body: response.body, maxEventBytes: self.configuration.maxEventBytes)
        }
    }

    /// `GET path` and the answer's bytes.
    public func get(_ path: String) async throws -> ByteBuffer {
        try await withRetries { attempt in
            let response = try await self.send(.GET, path: path, body: nil, extraHeaders: [], streams: false, attempt: attempt)
            return try await self.collect(response.body)
        }
    }

    /// `DELETE path` and the answer's bytes.
    public func delete(_ path: String) async throws -> ByteBuffer {
        try await withRetries { attempt in
            let response = try await self.send(.DELETE, path: path, body: nil, extraHeaders: [], streams: false, attempt: attempt)
            return try await self.collect(response.body)
        }
    }

    // MARK: - Transport

    /// Sends one request and returns the response once its status is 2xx; anything else throws.
    /// A plain call's deadline (`timeout`) covers its whole answer; a stream's covers the wait
    /// for its head, and then the idle timeout bounds each silence. `attempt` counts from 0;
    /// later ones are retries of the same call.
    private func send(
        _ method: HTTPMethod,
        path: String,
        body: ByteBuffer?,
        extraHeaders: [(String, String)],
        streams: Bool,
        attempt: Int
    ) async throws -> UpstreamResponse {
        guard let target else {
            throw ProviderError.unreachable("the provider's base URL is not http(s)://host[:port][/path]")
        }
        guard configuration.traced else {
            return try await send(method, to: target, path: path, body: body, extraHeaders: extraHeaders, streams: streams, span: nil)
        }
        return try await withSpan("\(method.rawValue) \(path)", ofKind: .client) { span in
            span.attributes["http.request.method"] = method.rawValue
            span.attributes["url.full"] = configuration.baseURL + path
            if attempt > 0 { span.attributes["http.request.resend_count"] = attempt }
            return try await send(method, to: target, path: path, body: body, extraHeaders: extraHeaders, streams: streams, span: span)
        }
    }

    private func send(
        _ method: HTTPMethod,
        to target: (origin: UpstreamOrigin, basePath: String),
        path: String,
        body: ByteBuffer?,
        extraHeaders: [(String, String)],
        streams: Bool,
        span: (any Span)?
    ) async throws -> UpstreamResponse {
        var headers = headers
        for (name, value) in extraHeaders { headers.replaceOrAdd(name: name, value: value) }
        if configuration.propagatesTraceContext {
            InstrumentationSystem.instrument.inject(ServiceContext.current ?? .topLevel, into: &headers, using: HTTPHeadersInjector())
        }
        let response: UpstreamResponse
        do {
            response = try await transport.execute(
                method,
                origin: target.origin,
                pool: pool,
                path: target.basePath + path,
                headers: headers,
                body: body,
                deadline: .now() + TimeAmount(configuration.timeout),
                deadlineCoversBody: !streams,
                idleTimeout: streams ? TimeAmount(configuration.streamIdleTimeout) : nil,
                wholeBodyLimit: streams ? nil : configuration.maxResponseBytes
            )
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw ProviderError(sendingRequestFailedWith: error)
        }
        span?.attributes["http.response.status_code"] = Int(response.status.code)
        guard (200..<300).contains(response.status.code) else {
            throw await statusError(from: response)
        }
        return response
    }

    private func collect(_ body: UpstreamResponseBody) async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: configuration.maxResponseBytes)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw ProviderError(readingStreamFailedWith: error)
        }
    }

    private func statusError(from response: UpstreamResponse) async -> ProviderError {
        let retryAfter = RetryPolicy.retryAfter(
            retryAfterMilliseconds: response.headers.first(name: "retry-after-ms"),
            retryAfter: response.headers.first(name: "retry-after")
        )
        let body = try? await response.body.collect(upTo: 64 * 1024)
        let reported = body.map { UpstreamErrorReport(body: $0) }
        return ProviderError(
            kind: .status,
            status: Int(response.status.code),
            retryAfter: retryAfter,
            upstreamMessage: reported?.message.map(redactingKey),
            upstreamType: reported?.type,
            upstreamCode: reported?.code
        )
    }

    /// Upstreams sometimes quote the key they were given; it must never travel further.
    private func redactingKey(_ text: String) -> String {
        let key = configuration.apiKey
        guard key.count >= 4 else { return text }
        return text.replacingOccurrences(of: key, with: "[redacted]")
    }

    private func withRetries<T: Sendable>(_ operation: @Sendable (_ attempt: Int) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await operation(attempt)
            } catch let error as ProviderError {
                guard let delay = configuration.retryPolicy.delay(afterAttempt: attempt, for: error) else { throw error }
                configuration.onRetry?(error)
                logger.debug(
                    "retrying upstream call",
                    metadata: ["attempt": "\(attempt + 1)", "error": "\(error.shortDescription)", "delay": "\(delay)"]
                )
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// Writes trace context (such as W3C `traceparent`) into an upstream request's headers.
struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: key, value: value)
    }
}
