import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Attacks that hold connections before any authentication.
@Suite("Security: connections")
struct ConnectionSecurityTests {
    private func port(of gateway: LiveGateway) -> Int { Int(gateway.url.split(separator: ":").last!)! }

    @Test("A client that never finishes its request headers is disconnected after IDLE_TIMEOUT_MS")
    func slowHeadersAreCut() async throws {
        try await LiveGateway.run(["IDLE_TIMEOUT_MS": "300"]) { gateway in
            let closed = try await RawConnection.closedAfter(
                port: port(of: gateway),
                sending: "POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow",
                waitingAtMost: .seconds(5)
            )
            #expect(closed != nil)
            #expect((closed ?? .seconds(99)) < .seconds(3))
        }
    }

    @Test("A client that never finishes its request body is disconnected after BODY_TIMEOUT_MS")
    func slowBodiesAreCut() async throws {
        try await LiveGateway.run(["BODY_TIMEOUT_MS": "300", "IDLE_TIMEOUT_MS": "20000"]) { gateway in
            let head = "POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"message\":"
            let closed = try await RawConnection.closedAfter(port: port(of: gateway), sending: head, waitingAtMost: .seconds(5))
            #expect(closed != nil)
            #expect((closed ?? .seconds(99)) < .seconds(3))
            #expect(gateway.mock.chatRequestCount == 0)
            let metrics = try await gateway.get("/metrics")
            #expect(metrics.body.contains(#"taogate_inbound_timeouts_total{kind="body"} 1"#))
        }
    }

    @Test("Past MAX_CONNECTIONS, a new connection is closed as it arrives; the open ones keep working")
    func connectionsAreCapped() async throws {
        try await LiveGateway.run(["MAX_CONNECTIONS": "4", "IDLE_TIMEOUT_MS": "20000"]) { gateway in
            let port = port(of: gateway)
            let (refused, answer) = try await RawConnection.onThread {
                let held = try (0..<4).map { _ in try RawConnection(port: port) }
                defer { held.forEach { $0.close() } }
                // Each is counted once it has been answered, however loaded the machine is.
                for connection in held {
                    _ = try connection.exchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                }
                let extra = try RawConnection(port: port)
                defer { extra.close() }
                return (extra.isClosedByPeer(within: .seconds(3)), try held[0].exchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
            }
            #expect(refused)
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            try await Task.sleep(for: .milliseconds(200))
            let metrics = try await gateway.get("/metrics")
            #expect(metrics.body.contains("taogate_connections_refused_total 1"))
        }
    }
}

/// A blocking TCP connection to the gateway, for the tests that misbehave on purpose. Every
/// blocking call runs on a thread of its own (see `RawHTTP`).
final class RawConnection: @unchecked Sendable {
    private let descriptor: Int32
    /// A descriptor must be closed once only: closed twice, the second close could hit a
    /// descriptor number that the server under test has been given since.
    private let closed = Mutex(false)

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    func close() {
        let first = closed.withLock { closed -> Bool in
            defer { closed = true }
            return !closed
        }
        if first { Glibc.close(descriptor) }
    }

    func send(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Sends a request and reads the first bytes of the answer.
    func exchange(_ text: String) throws -> String {
        send(text)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
    }

    /// Whether the peer closes the connection (a read returns 0 or fails) within `limit`.
    func isClosedByPeer(within limit: Duration) -> Bool {
        let (seconds, attoseconds) = limit.components
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
        }
    }

    /// Opens a connection, sends `text`, and says how long the gateway took to close it (nil:
    /// still open after `limit`).
    static func closedAfter(port: Int, sending text: String, waitingAtMost limit: Duration) async throws -> Duration? {
        try await onThread {
            let connection = try RawConnection(port: port)
            defer { connection.close() }
            let started = ContinuousClock.now
            connection.send(text)
            return connection.isClosedByPeer(within: limit) ? ContinuousClock.now - started : nil
        }
    }

    /// Runs blocking socket work on a thread of its own, never on the few threads that run the
    /// tests' and the server's tasks.
    static func onThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
