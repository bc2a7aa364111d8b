import Foundation
import Testing

@Suite("Hostile input")
struct HostileInputTests {
    @Test(
        "Bodies that try to break the parser get a 4xx, never a 5xx",
        arguments: [
            String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
            #"{"message":"hi","temperature":1e400}"#,
            #"{"message":"hi","max_tokens":99999999999999999999999}"#,
            #"{"message":"hi","max_tokens":-1}"#,
            #"{"message":{"nested":{"deeper":[1,2,3]}}}"#,
            #"{"message":"hi","userId":""}"#,
            #"{"message":"hi","userId":"\#(String(repeating: "u", count: 129))"}"#,
            #"{"message":"hi","userId":"../../etc/passwd"}"#,
            #"{"message":"hi","userId":"名字"}"#,
            "null",
            "\"just a string\"",
            "",
        ]
    )
    func parserBreakersGet4xx(body: String) async throws {
        try await LiveGateway.run { gateway in
            for path in ["/api/chat", "/api/chat/stream", "/v1/chat/completions"] {
                let response = try await gateway.post(path, json: body)
                #expect((400..<500).contains(response.status), "\(path): \(response.status)")
            }
        }
    }

    @Test("Invalid UTF-8 in a body gets 400")
    func invalidUTF8Gets400() async throws {
        try await LiveGateway.run { gateway in
            let port = Int(gateway.url.split(separator: ":").last!)!
            let body: [UInt8] = Array(#"{"message":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
            for path in ["/api/chat", "/v1/chat/completions"] {
                let status = try await RawHTTP.postStatus(port: port, path: path, body: body)
                #expect(status == 400)
            }
        }
    }

    @Test("A message longer than MAX_MESSAGE_CHARS gets 400")
    func longMessageGets400() async throws {
        try await LiveGateway.run(["MAX_MESSAGE_CHARS": "100"]) { gateway in
            let response = try await gateway.post("/api/chat", json: #"{"message":"\#(String(repeating: "a", count: 101))"}"#)
            #expect(response.status == 400)
            #expect(gateway.mock.chatRequestCount == 0)
        }
    }

    @Test("More messages than MAX_MESSAGES get 400 on /v1")
    func tooManyMessagesGet400() async throws {
        try await LiveGateway.run(["MAX_MESSAGES": "3"]) { gateway in
            let message = #"{"role":"user","content":"hi"}"#
            let body = #"{"model":"gpt-4o","messages":[\#(Array(repeating: message, count: 4).joined(separator: ","))]}"#
            let response = try await gateway.post("/v1/chat/completions", json: body)
            #expect(response.status == 400)
            #expect(gateway.mock.chatRequestCount == 0)
        }
    }

    @Test("Raw malformed HTTP gets 400 and the server keeps serving")
    func malformedHTTPGets400() async throws {
        try await LiveGateway.run { gateway in
            let port = Int(gateway.url.split(separator: ":").last!)!
            let answer = try await RawHTTP.exchange(port: port, bytes: Array("GARBAGE \u{1}\u{2} NOT-HTTP\r\n\r\n".utf8))
            #expect(answer.hasPrefix("HTTP/1.1 400"))
            let health = try await gateway.get("/healthz")
            #expect(health.status == 200)
        }
    }

    @Test("Unknown routes and methods get a 404 JSON body")
    func unknownRoutesGet404() async throws {
        try await LiveGateway.run { gateway in
            let responses = [
                try await gateway.get("/api/chat"),
                try await gateway.get("/v2/anything"),
                try await gateway.delete("/healthz"),
            ]
            for response in responses {
                #expect(response.status == 404)
                #expect(response.json["code"] as? String == "not_found")
            }
        }
    }
}

/// Bytes on a plain socket, for what an HTTP client library refuses to send.
enum RawHTTP {
    /// Sends `bytes` and returns what comes back.
    static func exchange(port: Int, bytes: [UInt8]) async throws -> String {
        try await onThread { try blockingExchange(port: port, bytes: bytes, untilClosed: false, halfClose: false).answer }
    }

    /// Sends `bytes` and reads until the server closes the connection; `closed` is false when
    /// it was still open after five seconds of silence.
    /// With `halfClose`, the client shuts its sending side once the bytes are sent.
    static func exchangeUntilClosed(port: Int, bytes: [UInt8], halfClose: Bool = false) async throws -> (answer: String, closed: Bool) {
        try await onThread { try blockingExchange(port: port, bytes: bytes, untilClosed: true, halfClose: halfClose) }
    }

    /// Sends `bytes` and closes the connection at once, without reading an answer.
    static func sendAndLeave(port: Int, bytes: [UInt8]) async throws {
        try await onThread {
            let descriptor = try connectedSocket(port: port)
            defer { close(descriptor) }
            _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        }
    }

    /// Runs blocking socket work on a thread of its own: it must hold neither one of the few
    /// threads that run the server's tasks nor a thread of Dispatch's global queue (where NIO
    /// resolves host names).
    private static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// A socket connected to 127.0.0.1:`port`, whose reads give up after five seconds of silence.
    private static func connectedSocket(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
        return descriptor
    }

    private static func blockingExchange(port: Int, bytes: [UInt8], untilClosed: Bool, halfClose: Bool) throws -> (answer: String, closed: Bool) {
        let descriptor = try connectedSocket(port: port)
        defer { close(descriptor) }
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        if halfClose { shutdown(descriptor, Int32(SHUT_WR)) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        guard untilClosed else {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            return (count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : "", false)
        }
        var received: [UInt8] = []
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if count < 0 { return (String(decoding: received, as: UTF8.self), false) }
            received += buffer[..<count]
        }
    }

    /// The status of a POST sent as raw bytes (so the body may be any bytes at all).
    static func postStatus(port: Int, path: String, body: [UInt8]) async throws -> Int {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let answer = try await exchange(port: port, bytes: Array(head.utf8) + body)
        return Int(answer.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
