import Foundation
import LLMClient
import NIOCore
import NIOHTTP1
import Testing

/// The transport against a real nginx, a server it was not written beside: nginx closes a
/// connection after its third request, and compresses `/gzip` into a chunked body.
extension UpstreamTransportTests {
    static let nginxText = String(repeating: "load balancing ", count: 100)

    static let nginxServer = """
        server {
            listen 127.0.0.1:@PORT@;
            keepalive_requests 3;
            default_type application/json;
            location / {
                return 200 '{"connection":$connection,"request":$connection_requests}';
            }
            location /gzip {
                gzip on;
                gzip_min_length 1;
                gzip_types application/json;
                return 200 '{"text":"\(nginxText)"}';
            }
        }
        """

    /// Which of nginx's connections carried a request, and the request's number on it.
    struct CarriedBy: Decodable, Equatable {
        let connection: Int
        let request: Int
    }

    /// Runs `body` with nginx started and a transport on one event loop, and stops both after.
    func withNginx(_ body: (TestNginx, UpstreamTransport) async throws -> Void) async throws {
        let nginx = try await TestNginx(configuration: Self.nginxServer)
        let transport = UpstreamTransport(group: Self.oneLoop)
        defer { nginx.stop() }
        do {
            try await body(nginx, transport)
        } catch {
            await transport.shutdown()
            throw error
        }
        await transport.shutdown()
    }

    func carriedBy(_ transport: UpstreamTransport, _ nginx: TestNginx) async throws -> CarriedBy {
        let body = try await text(try await call(transport, nginx.port, path: "/count"))
        return try JSONDecoder().decode(CarriedBy.self, from: Data(body.utf8))
    }

    @Test(
        "Against nginx, a connection carries requests until nginx closes it, and the next request opens a new one",
        .enabled(if: TestNginx.isAvailable)
    )
    func nginxKeepAliveUntilItCloses() async throws {
        try await withNginx { nginx, transport in
            var carried: [CarriedBy] = []
            for _ in 0..<7 { carried.append(try await carriedBy(transport, nginx)) }
            #expect(carried.map(\.request) == [1, 2, 3, 1, 2, 3, 1])
            let connections = carried.map(\.connection)
            #expect(Set(connections[0..<3]).count == 1 && Set(connections[3..<6]).count == 1)
            #expect(Set([connections[0], connections[3], connections[6]]).count == 3)
        }
    }

    @Test(
        "Against nginx, a chunked answer without a length is read whole, and its connection carries the next request",
        .enabled(if: TestNginx.isAvailable)
    )
    func nginxChunkedAnswerIsReadWhole() async throws {
        try await withNginx { nginx, transport in
            let response = try await call(
                transport,
                nginx.port,
                path: "/gzip",
                headers: ["Content-Type": "application/json", "Accept-Encoding": "gzip"]
            )
            #expect(response.headers["Transfer-Encoding"] == ["chunked"])
            #expect(response.headers["Content-Length"].isEmpty)
            let body = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            // A gzip stream starts with its magic bytes and ends with the length of what it holds.
            #expect(body.prefix(2) == [0x1F, 0x8B])
            let holds = body.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
            #expect(holds == "{\"text\":\"\(Self.nginxText)\"}".utf8.count)
            #expect(try await carriedBy(transport, nginx).request == 2)
        }
    }
}
