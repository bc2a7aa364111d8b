import AsyncHTTPClient
import Foundation
import LLMClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import Testing

/// The upstream transport, tested as a client library: against a scripted server that answers
/// right and wrong, a TLS server with a throwaway certificate, a real nginx
/// (`UpstreamTransportNginxTests.swift`), and beside AsyncHTTPClient.
@Suite("Upstream transport", .serialized)
struct UpstreamTransportTests {
    /// The suite's own event loops: its floods and its thousand connections stay off the loops the
    /// other suites' servers and database clients run on (and it runs one test at a time).
    static let loops = TransportTestLoops.group
    /// A transport on one event loop, so that every call goes through the same pool.
    static let oneLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    static let okJSON = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"

    func call(
        _ transport: UpstreamTransport,
        _ port: Int,
        host: String = "127.0.0.1",
        usesTLS: Bool = false,
        pool: Int = 0,
        method: HTTPMethod = .POST,
        path: String = "/v1/chat/completions",
        headers: HTTPHeaders = ["Content-Type": "application/json"],
        body: ByteBuffer? = ByteBuffer(string: "{\"model\":\"m\"}"),
        deadline: TimeAmount = .seconds(10),
        coversBody: Bool = true,
        idleTimeout: TimeAmount? = nil,
        wholeBodyLimit: Int? = nil
    ) async throws -> UpstreamResponse {
        try await transport.execute(
            method,
            origin: UpstreamOrigin(usesTLS: usesTLS, host: host, port: port),
            pool: pool,
            path: path,
            headers: headers,
            body: body,
            deadline: .now() + deadline,
            deadlineCoversBody: coversBody,
            idleTimeout: idleTimeout,
            wholeBodyLimit: wholeBodyLimit
        )
    }

    func text(_ response: UpstreamResponse) async throws -> String {
        String(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    func kind(of operation: () async throws -> Void) async -> ProviderError.Kind? {
        do {
            try await operation()
            return nil
        } catch let error as ProviderError {
            return error.kind
        } catch {
            return nil
        }
    }

    /// Polls until `condition` holds, for at most 5 s.
    func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test("A keep-alive connection carries the next request")
    func keepAliveIsReused() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .bytes(Self.okJSON) }
        let transport = UpstreamTransport(group: Self.oneLoop)
        for _ in 0..<3 {
            #expect(try await text(try await call(transport, upstream.port)) == "{\"ok\":true}")
        }
        #expect(upstream.connections == 1)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("Each pool keeps its own connections to an origin: its calls reuse them and never another pool's")
    func poolsDoNotShareConnections() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .bytes(Self.okJSON) }
        let transport = UpstreamTransport(group: Self.oneLoop)
        let (first, second) = (UpstreamTransport.newPool(), UpstreamTransport.newPool())
        for pool in [first, first, second, second, first] {
            _ = try await text(try await call(transport, upstream.port, pool: pool))
        }
        #expect(upstream.connections == 2)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("Two provider clients on one transport (two keys) never share a connection")
    func providerKeysHaveTheirOwnConnections() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .bytes(Self.okJSON) }
        let transport = UpstreamTransport(group: Self.oneLoop)
        let clients = ["sk-one", "sk-two"].map { key in
            ProviderClient(configuration: .init(baseURL: "http://127.0.0.1:\(upstream.port)/v1", apiKey: key), transport: transport)
        }
        for client in clients + clients {
            _ = try await client.post("/chat/completions", body: ByteBuffer(string: "{}"))
        }
        #expect(upstream.connections == 2)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("Every exchange is freed once its response has ended, whole, failed or abandoned")
    func exchangesAreFreed() async throws {
        let upstream = try await ScriptedUpstream { index, _ in
            switch index % 3 {
            case 0: .bytes(Self.okJSON)
            case 1: .bytes("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops")
            default: .flood(bytes: 1 << 20)
            }
        }
        let transport = UpstreamTransport(group: Self.loops)
        for index in 0..<30 {
            let response = try await call(transport, upstream.port)
            if index % 3 == 2 {
                var iterator = response.body.makeAsyncIterator()
                _ = try await iterator.next()  // and left there
            } else {
                _ = try await response.body.collect(upTo: 1 << 20)
            }
        }
        try await eventually { transport.exchangesInMemory == 0 }
        #expect(transport.exchangesInMemory == 0)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("An exchange moved in its loop's watch, when one before it ends, still times out and is then freed")
    func watchedExchangeMovedStillTimesOut() async throws {
        let upstream = try await ScriptedUpstream { index, _ in index == 0 ? .flood(bytes: 1 << 20) : .silence }
        let transport = UpstreamTransport(group: Self.oneLoop)
        // The first stays in flight while its body is unread; the second, after it, never answers.
        let first = try await call(transport, upstream.port)
        async let stalled = kind { _ = try await call(transport, upstream.port, deadline: .milliseconds(500)) }
        try await eventually { upstream.requests == 2 }
        _ = try await first.body.collect(upTo: 2 << 20)  // ends the first: the second takes its place
        #expect(await stalled == .timeout)
        try await eventually { transport.exchangesInMemory == 0 }
        #expect(transport.exchangesInMemory == 0)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("Idle connections are closed after the idle timeout, also those that went idle after the reaper's first pass")
    func idleConnectionsAreClosed() async throws {
        // The second request's answer is a large one, which holds its connection until it is read.
        let upstream = try await ScriptedUpstream { index, _ in index == 1 ? .flood(bytes: 1 << 20) : .bytes(Self.okJSON) }
        var configuration = UpstreamTransport.Configuration()
        configuration.idleConnectionTimeout = .milliseconds(300)
        let transport = UpstreamTransport(configuration: configuration, group: Self.oneLoop)
        _ = try await text(try await call(transport, upstream.port))
        // Both connections go idle 200 ms later: the reaper's first pass finds neither due.
        try await Task.sleep(for: .milliseconds(200))
        let held = try await call(transport, upstream.port)
        _ = try await text(try await call(transport, upstream.port))
        _ = try await held.body.collect(upTo: 2 << 20)
        #expect(upstream.connections == 2)
        try await eventually { upstream.closedConnections == upstream.connections }
        #expect(upstream.closedConnections == upstream.connections)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A connection whose reader fell behind at the end of an answer reads the next answer")
    func readsAgainAfterAPausedEnd() async throws {
        // Forty chunks in one write: the body's buffer fills (16) and the answer ends in the same
        // read, while the reader has not started; the connection goes back to the pool paused.
        let chunks = String(repeating: "1\r\nx\r\n", count: 40)
        let upstream = try await ScriptedUpstream { _, _ in
            .bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n")
        }
        let transport = UpstreamTransport(group: Self.oneLoop)
        let first = try await call(transport, upstream.port)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await text(first) == String(repeating: "x", count: 40))
        let second = try await call(transport, upstream.port, deadline: .seconds(5))
        #expect(try await text(second) == String(repeating: "x", count: 40))
        #expect(upstream.connections == 1)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("After an answer with Connection: close the next request opens a new connection")
    func connectionCloseIsNotReused() async throws {
        let closing = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
        let upstream = try await ScriptedUpstream { _, _ in .bytes(closing, thenClose: true) }
        let transport = UpstreamTransport(group: Self.oneLoop)
        #expect(try await text(try await call(transport, upstream.port)) == "ok")
        #expect(try await text(try await call(transport, upstream.port)) == "ok")
        #expect(upstream.connections == 2)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A chunked answer is read whole")
    func chunkedAnswer() async throws {
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"
        let upstream = try await ScriptedUpstream { _, _ in .bytes(chunked) }
        let transport = UpstreamTransport(group: Self.oneLoop)
        #expect(try await text(try await call(transport, upstream.port)) == "hello world")
        #expect(try await text(try await call(transport, upstream.port)) == "hello world")
        #expect(upstream.connections == 1)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("The request arrives with its path, Host, Content-Length and body")
    func requestOnTheWire() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .bytes(Self.okJSON) }
        let transport = UpstreamTransport(group: Self.loops)
        _ = try await text(try await call(transport, upstream.port))
        let head = try #require(upstream.heads.first)
        #expect(head.hasPrefix("POST /v1/chat/completions HTTP/1.1\r\n"))
        #expect(head.lowercased().contains("host: 127.0.0.1:\(upstream.port)"))
        #expect(head.lowercased().contains("content-length: 13"))
        #expect(upstream.bodies == ["{\"model\":\"m\"}"])
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A request without a body is sent as its head alone, with Content-Length: 0, and the connection carries the next")
    func requestWithoutBody() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .bytes(Self.okJSON) }
        let transport = UpstreamTransport(group: Self.oneLoop)
        _ = try await text(try await call(transport, upstream.port, method: .GET, path: "/v1/models", headers: [:], body: nil))
        _ = try await text(try await call(transport, upstream.port))
        let head = try #require(upstream.heads.first)
        #expect(head.hasPrefix("GET /v1/models HTTP/1.1\r\n"))
        #expect(head.lowercased().contains("content-length: 0"))
        #expect(upstream.bodies == ["", "{\"model\":\"m\"}"])
        #expect(upstream.connections == 1)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A header whose value would end its line fails the call before anything is sent, and the connection carries the next request")
    func headerInjectionRefused() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .bytes(Self.okJSON) }
        let transport = UpstreamTransport(group: Self.oneLoop)
        let refused = await kind {
            _ = try await call(transport, upstream.port, headers: ["anthropic-beta": "tools\r\nX-Injected: 1"])
        }
        #expect(refused == .unreachable)
        #expect(try await text(try await call(transport, upstream.port)) == "{\"ok\":true}")
        #expect(upstream.requests == 1)
        #expect(upstream.connections == 1)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("An upstream that closes mid-body fails the read with unreachable")
    func resetMidBody() async throws {
        let upstream = try await ScriptedUpstream { _, _ in
            .bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b", thenClose: true)
        }
        let transport = UpstreamTransport(group: Self.loops)
        let response = try await call(transport, upstream.port)
        #expect(await kind { _ = try await response.body.collect(upTo: 1 << 20) } == .unreachable)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A body read whole that closes mid-body fails the call with unreachable")
    func resetMidBodyReadWhole() async throws {
        let upstream = try await ScriptedUpstream { _, _ in
            .bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b", thenClose: true)
        }
        let transport = UpstreamTransport(group: Self.loops)
        #expect(await kind { _ = try await call(transport, upstream.port, wholeBodyLimit: 1 << 20) } == .unreachable)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A body read whole that passes its limit fails the call as invalid, and its connection is closed")
    func wholeBodyPastItsLimit() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .flood(bytes: 1 << 20) }
        let transport = UpstreamTransport(group: Self.loops)
        #expect(await kind { _ = try await call(transport, upstream.port, wholeBodyLimit: 64 * 1024) } == .invalidResponse)
        try await eventually { upstream.closedConnections == 1 }
        #expect(upstream.closedConnections == 1)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A body read whole whose upstream stalls times out at the deadline")
    func wholeBodyStallTimesOut() async throws {
        let upstream = try await ScriptedUpstream { _, _ in
            .bytesThenSilence("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")
        }
        let transport = UpstreamTransport(group: Self.loops)
        #expect(await kind { _ = try await call(transport, upstream.port, deadline: .milliseconds(300), wholeBodyLimit: 1 << 20) } == .timeout)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A bad chunk size fails the call, and the next call gets a new connection")
    func badChunkSize() async throws {
        let upstream = try await ScriptedUpstream { index, _ in
            index == 0
                ? .bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
                : .bytes(Self.okJSON)
        }
        let transport = UpstreamTransport(group: Self.oneLoop)
        let failed = await kind {
            let response = try await call(transport, upstream.port)
            _ = try await response.body.collect(upTo: 1 << 20)
        }
        #expect(failed == .unreachable)
        #expect(try await text(try await call(transport, upstream.port)) == "{\"ok\":true}")
        #expect(upstream.connections == 2)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A response header of 200 KB is refused")
    func hugeHeader() async throws {
        let huge = String(repeating: "a", count: 200 * 1024)
        let upstream = try await ScriptedUpstream { _, _ in
            .bytes("HTTP/1.1 200 OK\r\nX-Huge: \(huge)\r\nContent-Length: 2\r\n\r\nok")
        }
        let transport = UpstreamTransport(group: Self.loops)
        #expect(await kind { _ = try await call(transport, upstream.port) } == .unreachable)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("An upstream that never answers times out at the deadline, and its connection is closed")
    func stallBeforeHead() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .silence }
        let transport = UpstreamTransport(group: Self.loops)
        #expect(await kind { _ = try await call(transport, upstream.port, deadline: .milliseconds(500)) } == .timeout)
        // On a loaded machine the deadline can pass while connecting; then nothing was sent and
        // the new connection is kept. Once the request went out, its connection must close.
        if upstream.requests == 1 {
            try await eventually { upstream.closedConnections == 1 }
            #expect(upstream.closedConnections == 1)
        }
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A plain answer whose body stalls times out at the deadline")
    func stallInPlainBody() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .bytesThenSilence("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfive.") }
        let transport = UpstreamTransport(group: Self.loops)
        // Without a deadline over the body this would wait forever for the other five bytes.
        let failed = await kind {
            let response = try await call(transport, upstream.port, deadline: .milliseconds(500))
            _ = try await response.body.collect(upTo: 1 << 20)
        }
        #expect(failed == .timeout)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A stream that goes silent ends at the idle timeout")
    func stallMidStream() async throws {
        let upstream = try await ScriptedUpstream { _, _ in
            .bytesThenSilence("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n7\r\ndata: 1\r\n")
        }
        let transport = UpstreamTransport(group: Self.loops)
        let response = try await call(transport, upstream.port, coversBody: false, idleTimeout: .milliseconds(200))
        #expect(await kind { _ = try await response.body.collect(upTo: 1 << 20) } == .timeout)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A stream's deadline ends with its head: a body quiet for longer than the deadline ends only at the idle timeout")
    func streamDeadlineCoversOnlyTheHead() async throws {
        let upstream = try await ScriptedUpstream { _, _ in
            .bytesThenSilence("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n7\r\ndata: 1\r\n")
        }
        let transport = UpstreamTransport(group: Self.loops)
        let response = try await call(transport, upstream.port, deadline: .milliseconds(200), coversBody: false, idleTimeout: .milliseconds(900))
        let failure: ProviderError?
        do {
            _ = try await response.body.collect(upTo: 1 << 20)
            failure = nil
        } catch let error as ProviderError {
            failure = error
        }
        #expect(failure?.kind == .timeout)
        #expect(failure?.upstreamMessage?.contains("idle timeout") == true)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A reader that stops before the end closes the connection instead of reusing it")
    func readerStopsEarly() async throws {
        let upstream = try await ScriptedUpstream { index, _ in index == 0 ? .flood(bytes: 8 << 20) : .bytes(Self.okJSON) }
        let transport = UpstreamTransport(group: Self.oneLoop)
        do {
            let response = try await call(transport, upstream.port)
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
        }
        try await eventually { upstream.closedConnections == 1 }
        #expect(upstream.closedConnections == 1)
        #expect(try await text(try await call(transport, upstream.port)) == "{\"ok\":true}")
        #expect(upstream.connections == 2)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A reader that does not read holds back the upstream instead of buffering its answer")
    func backpressure() async throws {
        let total = 512 << 20
        let upstream = try await ScriptedUpstream { _, _ in .flood(bytes: total) }
        let transport = UpstreamTransport(group: Self.loops)
        let response = try await call(transport, upstream.port)
        var iterator = response.body.makeAsyncIterator()
        _ = try await iterator.next()
        try await Task.sleep(for: .seconds(1))
        // What left the server sits in the socket buffers and a few of the body's buffers.
        #expect(upstream.floodedBytes < 64 << 20)
        withExtendedLifetime(iterator) {}
        await transport.shutdown()
        await upstream.close()
    }

    @Test("Cancelling the caller closes the upstream connection")
    func cancellationClosesTheConnection() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .silence }
        let transport = UpstreamTransport(group: Self.loops)
        let task = Task { try await call(transport, upstream.port) }
        try await eventually { upstream.requests == 1 }
        task.cancel()
        _ = await task.result
        try await eventually { upstream.closedConnections == 1 }
        #expect(upstream.closedConnections == 1)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A call from a task cancelled before it began fails at once, and nothing is sent")
    func callFromCancelledTaskFails() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .bytes(Self.okJSON) }
        let transport = UpstreamTransport(group: Self.loops)
        let outcome = Mutex<String?>(nil)
        // Off the transport's loops, so that the cancellation reaches the exchange before the
        // exchange reaches its pool; unstructured, so that a call left waiting fails the test
        // instead of hanging it.
        Task {
            withUnsafeCurrentTask { $0?.cancel() }
            let result: String
            do {
                _ = try await call(transport, upstream.port)
                result = "answered"
            } catch let error as ProviderError {
                result = "\(error.kind)"
            } catch {
                result = "\(error)"
            }
            outcome.withLock { $0 = result }
        }
        try await eventually { outcome.withLock { $0 } != nil }
        #expect(outcome.withLock { $0 } == "unreachable")
        #expect(upstream.requests == 0)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("Shutting down leaves a response in flight to end, then completes")
    func shutdownWaitsForResponsesInFlight() async throws {
        let upstream = try await ScriptedUpstream { _, _ in
            .bytesThenSilence("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n7\r\ndata: 1\r\n")
        }
        let transport = UpstreamTransport(group: Self.loops)
        let response = try await call(transport, upstream.port, coversBody: false)
        let shutDown = Atomic(false)
        let shutdown = Task {
            await transport.shutdown()
            shutDown.store(true, ordering: .relaxed)
        }
        try await Task.sleep(for: .milliseconds(300))
        let shutDownEarly = shutDown.load(ordering: .relaxed)
        #expect(!shutDownEarly)
        #expect(upstream.closedConnections == 0)
        do {
            var iterator = response.body.makeAsyncIterator()
            #expect(try await iterator.next().map { String(buffer: $0) } == "data: 1")
        }  // the reader leaves before the end: the connection closes, and the shutdown completes
        await shutdown.value
        let shutDownAtLast = shutDown.load(ordering: .relaxed)
        #expect(shutDownAtLast)
        await upstream.close()
    }

    @Test("Shutting down while a cancelled call's connection is still being made completes")
    func shutdownDuringConnectCompletes() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .bytes(Self.okJSON) }
        let finished = Atomic(0)
        // Unstructured, so that a shutdown that never completes fails the test instead of hanging it.
        Task {
            for _ in 0..<50 {
                let transport = UpstreamTransport(group: Self.oneLoop)
                let call = Task { try await self.call(transport, upstream.port) }
                call.cancel()
                await transport.shutdown()
                _ = await call.result
                finished.add(1, ordering: .relaxed)
            }
        }
        try await eventually { finished.load(ordering: .relaxed) == 50 }
        #expect(finished.load(ordering: .relaxed) == 50)
        await upstream.close()
    }

    @Test("An upstream that refuses connections is unreachable")
    func refusedConnection() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .silence }
        let port = upstream.port
        await upstream.close()
        let transport = UpstreamTransport(group: Self.loops)
        #expect(await kind { _ = try await call(transport, port) } == .unreachable)
        await transport.shutdown()
    }

    @Test("A thousand concurrent streams all end whole")
    func thousandStreams() async throws {
        let stream = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "e\r\ndata: {\"a\":1}\n\r\n" + "e\r\ndata: {\"b\":2}\n\r\n" + "0\r\n\r\n"
        let upstream = try await ScriptedUpstream { _, _ in .bytes(stream) }
        let transport = UpstreamTransport(group: Self.loops)
        let whole = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<1000 {
                group.addTask {
                    // Generous limits: this is about a thousand at once, and the suite runs beside the others.
                    let response = try await call(transport, upstream.port, deadline: .seconds(120), coversBody: false, idleTimeout: .seconds(120))
                    return try await text(response) == "data: {\"a\":1}\ndata: {\"b\":2}\n"
                }
            }
            var count = 0
            for try await ok in group where ok { count += 1 }
            return count
        }
        #expect(whole == 1000)
        await transport.shutdown()
        await upstream.close()
    }

    // MARK: - TLS

    @Test("A TLS upstream whose certificate the client trusts answers")
    func trustedCertificate() async throws {
        let certificate = try ThrowawayCertificate(hostName: "localhost")
        let upstream = try await ScriptedUpstream(tls: try certificate.serverContext()) { _, _ in .bytes(Self.okJSON) }
        var configuration = UpstreamTransport.Configuration()
        configuration.tls.trustRoots = .certificates([try certificate.certificate()])
        let transport = UpstreamTransport(configuration: configuration, group: Self.loops)
        let response = try await call(transport, upstream.port, host: "localhost", usesTLS: true)
        #expect(try await text(response) == "{\"ok\":true}")
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A TLS upstream with a certificate from an unknown issuer is refused")
    func untrustedCertificate() async throws {
        let certificate = try ThrowawayCertificate(hostName: "localhost")
        let upstream = try await ScriptedUpstream(tls: try certificate.serverContext()) { _, _ in .bytes(Self.okJSON) }
        let transport = UpstreamTransport(group: Self.loops)
        #expect(await kind { _ = try await call(transport, upstream.port, host: "localhost", usesTLS: true) } == .unreachable)
        #expect(upstream.requests == 0)
        await transport.shutdown()
        await upstream.close()
    }

    @Test("A TLS upstream with a trusted certificate for another host name is refused")
    func wrongHostName() async throws {
        let certificate = try ThrowawayCertificate(hostName: "other.example")
        let upstream = try await ScriptedUpstream(tls: try certificate.serverContext()) { _, _ in .bytes(Self.okJSON) }
        var configuration = UpstreamTransport.Configuration()
        configuration.tls.trustRoots = .certificates([try certificate.certificate()])
        let transport = UpstreamTransport(configuration: configuration, group: Self.loops)
        #expect(await kind { _ = try await call(transport, upstream.port, host: "localhost", usesTLS: true) } == .unreachable)
        #expect(upstream.requests == 0)
        await transport.shutdown()
        await upstream.close()
    }

    // MARK: - Through an HTTP proxy

    @Test("An https upstream is reached through HTTPS_PROXY with a CONNECT tunnel, TLS end to end")
    func httpsThroughProxy() async throws {
        let certificate = try ThrowawayCertificate(hostName: "api.upstream.example")
        let upstream = try await ScriptedUpstream(tls: try certificate.serverContext()) { _, _ in .bytes(Self.okJSON) }
        let proxy = try await ConnectProxy(tunnelingTo: upstream.port)
        var configuration = UpstreamTransport.Configuration()
        configuration.tls.trustRoots = .certificates([try certificate.certificate()])
        configuration.proxies = UpstreamProxySettings(https: UpstreamProxy(url: "http://127.0.0.1:\(proxy.port)"), http: nil, exceptions: [])
        let transport = UpstreamTransport(configuration: configuration, group: Self.loops)
        let response = try await call(transport, 443, host: "api.upstream.example", usesTLS: true)
        #expect(try await text(response) == "{\"ok\":true}")
        #expect(proxy.requests.first?.hasPrefix("CONNECT api.upstream.example:443 HTTP/1.1\r\n") == true)
        await transport.shutdown()
        await proxy.close()
        await upstream.close()
    }

    @Test("The proxy's user and password go to it as Proxy-Authorization")
    func proxyCredentials() async throws {
        let certificate = try ThrowawayCertificate(hostName: "api.upstream.example")
        let upstream = try await ScriptedUpstream(tls: try certificate.serverContext()) { _, _ in .bytes(Self.okJSON) }
        let proxy = try await ConnectProxy(tunnelingTo: upstream.port)
        var configuration = UpstreamTransport.Configuration()
        configuration.tls.trustRoots = .certificates([try certificate.certificate()])
        configuration.proxies = UpstreamProxySettings(https: UpstreamProxy(url: "http://user:p%40ss@127.0.0.1:\(proxy.port)"), http: nil, exceptions: [])
        let transport = UpstreamTransport(configuration: configuration, group: Self.loops)
        #expect(try await text(try await call(transport, 443, host: "api.upstream.example", usesTLS: true)) == "{\"ok\":true}")
        // base64("user:p@ss")
        #expect(proxy.requests.first?.contains("\r\nProxy-Authorization: Basic dXNlcjpwQHNz") == true)
        await transport.shutdown()
        await proxy.close()
        await upstream.close()
    }

    @Test("An http upstream is reached through HTTP_PROXY with each request in absolute form and the proxy's credentials")
    func httpThroughForwardProxy() async throws {
        // The scripted server plays the forward proxy: it records what it is sent and answers.
        let proxy = try await ScriptedUpstream { _, _ in .bytes(Self.okJSON) }
        var configuration = UpstreamTransport.Configuration()
        configuration.proxies = UpstreamProxySettings(https: nil, http: UpstreamProxy(url: "http://user:p%40ss@127.0.0.1:\(proxy.port)"), exceptions: [])
        let transport = UpstreamTransport(configuration: configuration, group: Self.loops)
        #expect(try await text(try await call(transport, 8080, host: "upstream.example")) == "{\"ok\":true}")
        let head = try #require(proxy.heads.first)
        #expect(head.hasPrefix("POST http://upstream.example:8080/v1/chat/completions HTTP/1.1\r\n"))
        #expect(head.contains("\r\nProxy-Authorization: Basic dXNlcjpwQHNz"))
        #expect(head.lowercased().contains("\r\nhost: upstream.example:8080\r\n"))
        await transport.shutdown()
        await proxy.close()
    }

    @Test("A proxy that refuses the tunnel makes the upstream unreachable")
    func proxyRefuses() async throws {
        let proxy = try await ConnectProxy(tunnelingTo: 9, refuseWith: 403)
        var configuration = UpstreamTransport.Configuration()
        configuration.proxies = UpstreamProxySettings(https: UpstreamProxy(url: "127.0.0.1:\(proxy.port)"), http: nil, exceptions: [])
        let transport = UpstreamTransport(configuration: configuration, group: Self.loops)
        #expect(await kind { _ = try await call(transport, 443, host: "upstream.example", usesTLS: true) } == .unreachable)
        await transport.shutdown()
        await proxy.close()
    }

    @Test("Hosts in NO_PROXY and loopback hosts are reached directly")
    func proxyExceptions() {
        let proxy = UpstreamProxy(url: "http://proxy.internal:3128")
        let settings = UpstreamProxySettings(https: proxy, http: proxy, exceptions: [".corp.example", "api.direct.example:443", "[::2]"])
        func via(_ host: String) -> Bool { settings.proxy(for: UpstreamOrigin(usesTLS: true, host: host, port: 443)) != nil }
        #expect(via("taotoken.net"))
        #expect(!via("llm.corp.example"))
        #expect(!via("corp.example"))
        #expect(via("notcorp.example"))
        #expect(!via("api.direct.example"))
        #expect(!via("::2"))
        #expect(!via("127.0.0.1"))
        #expect(!via("localhost"))
        #expect(!via("::1"))
        let all = UpstreamProxySettings(https: proxy, http: proxy, exceptions: ["*"])
        #expect(all.proxy(for: UpstreamOrigin(usesTLS: true, host: "taotoken.net", port: 443)) == nil)
        #expect(proxy?.port == 3128)
        #expect(UpstreamProxy(url: "socks5://proxy:1080") == nil)
    }

    // MARK: - Beside AsyncHTTPClient

    @Test("The transport reads the same status, headers and body as AsyncHTTPClient, streamed or whole", arguments: [
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}",
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n9\r\ndata: 1\n\n\r\n9\r\ndata: 2\n\n\r\n0\r\n\r\n",
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 7\r\n\r\nslow do",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n",
        "HTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nafter",
    ], [nil, 1 << 20])
    func sameAsAsyncHTTPClient(answer: String, wholeBodyLimit: Int?) async throws {
        let upstream = try await ScriptedUpstream { _, _ in .bytes(answer) }
        let transport = UpstreamTransport(group: Self.loops)
        let ours = try await call(transport, upstream.port, wholeBodyLimit: wholeBodyLimit)
        let ourBody = try await text(ours)

        var request = HTTPClientRequest(url: "http://127.0.0.1:\(upstream.port)/v1/chat/completions")
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: "{\"model\":\"m\"}"))
        let theirs = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let theirBody = String(buffer: try await theirs.body.collect(upTo: 1 << 20))

        #expect(ours.status == theirs.status)
        #expect(ourBody == theirBody)
        for name in ["content-type", "content-length", "transfer-encoding", "retry-after"] {
            #expect(ours.headers[name] == theirs.headers[name], "header \(name)")
        }
        await transport.shutdown()
        await upstream.close()
    }
}

/// A self-signed certificate and its key, made with openssl for one test and deleted after.
final class ThrowawayCertificate: Sendable {
    let directory: URL

    init(hostName: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let openssl = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/openssl"),
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", directory.appendingPathComponent("key.pem").path,
                "-out", directory.appendingPathComponent("cert.pem").path,
                "-days", "1", "-subj", "/CN=\(hostName)", "-addext", "subjectAltName=DNS:\(hostName)",
            ]
        )
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw CertificateError.opensslFailed(openssl.terminationStatus) }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    enum CertificateError: Error { case opensslFailed(Int32) }

    func certificate() throws -> NIOSSLCertificate {
        try NIOSSLCertificate(file: directory.appendingPathComponent("cert.pem").path, format: .pem)
    }

    func serverContext() throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try certificate())],
            privateKey: .privateKey(try NIOSSLPrivateKey(file: directory.appendingPathComponent("key.pem").path, format: .pem))
        )
        return try NIOSSLContext(configuration: configuration)
    }
}
