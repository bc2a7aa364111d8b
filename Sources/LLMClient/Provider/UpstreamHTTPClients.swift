import AsyncHTTPClient
import NIOCore

/// The two connection pools upstream calls go through, shareable by many providers and keys.
///
/// Plain calls use a pool without a read timeout (their deadline bounds them end to end);
/// streams use one whose read timeout is the idle timeout between chunks, so a stream has no
/// total cap but cannot go silent.
///
/// AsyncHTTPClient's own tracing is off here: `OpenAICompatibleProvider` makes one span per
/// attempt itself (with its retry count) and passes the trace context on.
public final class UpstreamHTTPClients: Sendable {
    public let plain: HTTPClient
    public let streaming: HTTPClient

    public init(connectTimeout: Duration, streamIdleTimeout: Duration, maxConnectionsPerHost: Int = 1024) {
        let pool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost
        )
        var plain = HTTPClient.Configuration(timeout: .init(connect: .init(connectTimeout)), connectionPool: pool)
        plain.redirectConfiguration = .disallow
        plain.tracing.tracer = nil
        var streaming = HTTPClient.Configuration(
            timeout: .init(connect: .init(connectTimeout), read: .init(streamIdleTimeout)),
            connectionPool: pool
        )
        streaming.redirectConfiguration = .disallow
        streaming.tracing.tracer = nil
        self.plain = HTTPClient(eventLoopGroupProvider: .singleton, configuration: plain)
        self.streaming = HTTPClient(eventLoopGroupProvider: .singleton, configuration: streaming)
    }

    public func shutdown() async throws {
        try await plain.shutdown()
        try await streaming.shutdown()
    }
}
