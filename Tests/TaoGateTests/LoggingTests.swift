import Foundation
import Logging
import MockUpstream
import NIOCore
import Testing

@testable import TaoGate

@Suite("Request logging")
struct LoggingTests {
    @Test("Each request writes one JSON line with id, method, route, status, duration, model, length, latency and tokens")
    func requestWritesOneCompleteLine() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/api/chat", json: #"{"message":"count these words"}"#)
            let lines = try await gateway.requestLogLines()
            #expect(lines.count == 1)
            let line = try #require(lines.first)
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(line["request_id"] as? String == response.header("X-Request-ID"))
            #expect(line["method"] as? String == "POST")
            #expect(line["route"] as? String == "/api/chat")
            #expect(line["status"] as? Int == 200)
            #expect(line["duration_ms"] is Double || line["duration_ms"] is Int)
            #expect(line["upstream_latency_ms"] is Double || line["upstream_latency_ms"] is Int)
            #expect(line["model"] as? String == sent.model)
            #expect(line["message_length"] as? Int == "count these words".count)
            #expect(line["prompt_tokens"] as? Int == MockReply.usage(for: sent).promptTokens)
            #expect(line["completion_tokens"] as? Int == MockReply.usage(for: sent).completionTokens)
            #expect(line["level"] as? String == "info")
        }
    }

    @Test("An answer goes to the client before its request's log line is written, which it does not wait for")
    func answerGoesBeforeItsLogLine() async throws {
        try await LiveGateway.run { gateway in
            gateway.logs.holdRequestLines()
            defer { gateway.logs.releaseRequestLines() }
            let port = Int(gateway.url.split(separator: ":").last!)!
            let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#
            let request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
            // A client of its own thread: the test's HTTP client would share the event loops
            // that the held log line blocks.
            let (answer, linesWhenAnswered) = try await RawConnection.onThread {
                let connection = try RawConnection(port: port)
                defer { connection.close() }
                let answer = try connection.exchange(request)
                return (answer, gateway.logs.jsonLines.filter { $0["msg"] as? String == "request" }.count)
            }
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(linesWhenAnswered == 0)
            gateway.logs.releaseRequestLines()
            #expect(try await gateway.requestLogLines().count == 1)
        }
    }

    @Test("A stream is logged once it has ended, with its tokens")
    func streamIsLoggedWithTokens() async throws {
        try await LiveGateway.run { gateway in
            _ = try await gateway.post("/api/chat/stream", json: #"{"message":"stream"}"#)
            let line = try #require(try await gateway.requestLogLines().first)
            let sent = try #require(gateway.mock.chatRequests.first)
            #expect(line["route"] as? String == "/api/chat/stream")
            #expect(line["streamed"] as? Bool == true)
            #expect(line["completion_tokens"] as? Int == MockReply.usage(for: sent).completionTokens)
        }
    }

    @Test("Log lines never hold the message text, the upstream key or the key an upstream quotes")
    func logsHoldNoTextNorKeys() async throws {
        try await LiveGateway.run(["APP_ENV": "development", "LOG_LEVEL": "trace"]) { gateway in
            let secret = "my private question 7f3a"
            _ = try await gateway.post("/api/chat", json: #"{"message":"\#(secret)","userId":"u1"}"#)
            _ = try await gateway.post("/api/chat/stream", json: #"{"message":"\#(secret)"}"#)
            gateway.mock.inject(MockFault(status: 401, message: "Incorrect API key provided: \(testUpstreamKey)"))
            _ = try await gateway.post("/api/chat", json: #"{"message":"\#(secret)"}"#)
            _ = try await gateway.requestLogLines(atLeast: 3)
            let all = gateway.logs.all.joined(separator: "\n")
            #expect(!all.isEmpty)
            #expect(!all.contains(secret))
            #expect(!all.contains(testUpstreamKey))
        }
    }

    @Test("A request that ends in a 5xx is logged at error level with its code")
    func serverErrorsAreLoggedAsErrors() async throws {
        try await LiveGateway.run(["UPSTREAM_MAX_RETRIES": "0"]) { gateway in
            gateway.mock.inject(MockFault(status: 503))
            _ = try await gateway.post("/api/chat", json: #"{"message":"hi"}"#)
            let line = try #require(try await gateway.requestLogLines().first)
            #expect(line["level"] as? String == "error")
            #expect(line["status"] as? Int == 502)
            #expect(line["error_code"] as? String == "upstream_unavailable")
        }
    }

    @Test("LOG_DIR gets combined.log with every line and error.log with errors only")
    func logDirectoryGetsCombinedAndErrorLogs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-logs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try LogDirectoryWriter(directory: directory)
        let logger = Logger(label: "test") { _ in GatewayLogHandler(level: .info, format: .json, writers: [writer]) }
        logger.info("request", metadata: ["status": .stringConvertible(200)])
        logger.error("request", metadata: ["status": .stringConvertible(502)])
        let combined = try String(contentsOfFile: directory + "/combined.log", encoding: .utf8).split(separator: "\n")
        let errors = try String(contentsOfFile: directory + "/error.log", encoding: .utf8).split(separator: "\n")
        #expect(combined.count == 2)
        #expect(errors.count == 1)
        #expect(errors.first?.contains(#""status":502"#) == true)
    }

    @Test("Text format writes key=value lines")
    func textFormatWritesKeyValueLines() {
        let writer = MemoryLogWriter()
        let logger = Logger(label: "test") { _ in GatewayLogHandler(level: .info, format: .text, writers: [writer]) }
        logger.info("request", metadata: ["status": .stringConvertible(200), "route": "/api/chat"])
        let line = writer.all.first ?? ""
        #expect(line.hasSuffix("info request route=/api/chat status=200"))
    }
}

@Suite("Log line format")
struct LogLineFormatTests {
    private func line(_ metadata: Logger.Metadata) throws -> [String: Any] {
        let writer = MemoryLogWriter()
        let logger = Logger(label: "test") { _ in GatewayLogHandler(level: .info, format: .json, writers: [writer]) }
        logger.info("m", metadata: metadata)
        return try #require(writer.jsonLines.first)
    }

    @Test("The timestamp is UTC with milliseconds, and is now")
    func timestampIsNow() throws {
        let fields = try line([:])
        let ts = try #require(fields["ts"] as? String)
        #expect(ts.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
        let parsed = try #require(try? Date(ts, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)))
        #expect(abs(parsed.timeIntervalSinceNow) < 5)
    }

    @Test("Numbers and flags are JSON numbers and booleans; other values are strings")
    func valuesKeepTheirJSONTypes() throws {
        let fields = try line([
            "count": .stringConvertible(3), "ms": .stringConvertible(1.5), "flag": .stringConvertible(true),
            "small": .stringConvertible(UInt8(7)), "nan": .stringConvertible(Double.nan), "text": .string("a\"b"),
        ])
        #expect(fields["count"] as? Int == 3)
        #expect(fields["ms"] as? Double == 1.5)
        #expect(fields["flag"] as? Bool == true)
        #expect(fields["small"] as? Int == 7)
        #expect(fields["nan"] is NSNull)
        #expect(fields["text"] as? String == "a\"b")
    }

    @Test("Integers are written in decimal, zero and negative ones included")
    func integersAreDecimal() throws {
        let fields = try line([
            "zero": .stringConvertible(0), "negative": .stringConvertible(-42), "least": .stringConvertible(Int.min),
            "greatest": .stringConvertible(Int.max), "ten": .stringConvertible(10), "zeros": .stringConvertible(1_000_001),
        ])
        #expect(fields["zero"] as? Int == 0)
        #expect(fields["negative"] as? Int == -42)
        #expect(fields["least"] as? Int == Int.min)
        #expect(fields["greatest"] as? Int == Int.max)
        #expect(fields["ten"] as? Int == 10)
        #expect(fields["zeros"] as? Int == 1_000_001)
    }

    @Test("Quotes, backslashes and control characters in values are escaped, so a value cannot break its line")
    func controlCharactersAreEscaped() throws {
        let text = "a\"b\\c\nd\re\tf\u{01}g 中文"
        let writer = MemoryLogWriter()
        let logger = Logger(label: "test") { _ in GatewayLogHandler(level: .info, format: .json, writers: [writer]) }
        logger.info("m", metadata: ["text": .string(text)])
        #expect(writer.all.count == 1)
        #expect(writer.all.first?.contains("\n") == false)
        #expect(writer.jsonLines.first?["text"] as? String == text)
    }

    @Test("A long value's escapes are written wherever they fall among the bytes read eight at a time")
    func longValuesAreEscapedAcrossWords() throws {
        let plain = String(repeating: "Load balancing spreads requests. ", count: 3)
        for position in [0, 1, 7, 8, 9, 15, 16, 63, plain.utf8.count] {
            let text = String(plain.prefix(position)) + "\"\\\n\u{01}é" + String(plain.dropFirst(position))
            var buffer = ByteBuffer()
            JSONText.writeString(text, to: &buffer)
            let decoded = try JSONDecoder().decode(String.self, from: Data(buffer.readableBytesView))
            #expect(decoded == text, "escapes at \(position)")
        }
    }

    @Test(
        "The request's line handed straight to the handler is the line swift-log's path writes",
        arguments: [GatewayLogHandler.Format.json, .text]
    )
    func directLineMatchesLoggedLine(format: GatewayLogHandler.Format) {
        let writer = MemoryLogWriter()
        let handler = GatewayLogHandler(level: .info, format: format, writers: [writer])
        Logger(label: "test") { _ in handler }.info("request", metadata: [LogFields.metadataKey: .stringConvertible(Self.requestFields)])
        handler.write(Self.requestFields, message: "request", level: .info)
        let lines = writer.all.map(Self.withoutTimestamp)
        #expect(lines.count == 2)
        #expect(lines.first == lines.last)
    }

    @Test("The request's line keeps the metadata its logger was given")
    func requestLineKeepsLoggerMetadata() throws {
        let writer = MemoryLogWriter()
        var logger = Logger(label: "test") { _ in GatewayLogHandler(level: .info, format: .json, writers: [writer]) }
        logger[metadataKey: "instance"] = "a"
        let finished = FinishedRequest(
            method: "POST",
            route: "/v1/chat/completions",
            status: 200,
            start: .now,
            duration: .milliseconds(2),
            outcome: nil,
            fields: RequestRecord.Fields()
        )
        RequestLog(logger: logger).write(finished)
        let line = try #require(writer.jsonLines.first)
        #expect(line["instance"] as? String == "a")
        #expect(line["route"] as? String == "/v1/chat/completions")
    }

    /// A line without its timestamp, the one part that differs from one line to the next.
    private static func withoutTimestamp(_ line: String) -> String {
        line.replacing(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/, with: "")
    }

    private static var requestFields: LogFields {
        var fields = LogFields(capacity: 5)
        fields.add("route", .string("/v1/chat/completions"))
        fields.add("status", .integer(200))
        fields.add("duration_ms", .number(1.25))
        fields.add("streamed", .flag(true))
        fields.add("dropped", .strings(["seed", "top_k"]))
        return fields
    }

    @Test("Ordered log fields are written as members of the line, each with its JSON type")
    func orderedFieldsAreMembers() throws {
        let fields = try line(["extra": "x", LogFields.metadataKey: .stringConvertible(Self.requestFields)])
        #expect(fields["route"] as? String == "/v1/chat/completions")
        #expect(fields["status"] as? Int == 200)
        #expect(fields["duration_ms"] as? Double == 1.25)
        #expect(fields["streamed"] as? Bool == true)
        #expect(fields["dropped"] as? [String] == ["seed", "top_k"])
        #expect(fields["extra"] as? String == "x")
        #expect(fields[LogFields.metadataKey] == nil)
    }

    @Test("Ordered log fields are written as key=value in text lines, in their order")
    func orderedFieldsInText() {
        let writer = MemoryLogWriter()
        let logger = Logger(label: "test") { _ in GatewayLogHandler(level: .info, format: .text, writers: [writer]) }
        logger.info("request", metadata: [LogFields.metadataKey: .stringConvertible(Self.requestFields)])
        let line = writer.all.first ?? ""
        #expect(line.hasSuffix(#"info request route=/v1/chat/completions status=200 duration_ms=1.25 streamed=true dropped="[seed, top_k]""#))
    }
}

@Suite("Buffered log output")
struct BufferedLogWriterTests {
    static func line(_ text: String) -> [UInt8] { Array((text + "\n").utf8) }

    /// Waits up to five seconds for `writer` to hold `count` lines.
    static func lines(_ count: Int, in writer: MemoryLogWriter) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(5)
        while writer.all.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        return writer.all
    }

    @Test("Lines reach the writers in their order, written by the log's thread within its interval")
    func linesArriveInOrderWithinTheInterval() async throws {
        let memory = MemoryLogWriter()
        let output = BufferedLogWriter(writing: [memory], format: .json, interval: .milliseconds(10))
        defer { output.close() }
        for number in 0..<100 { output.write(Self.line("line \(number)"), level: .info) }
        #expect(try await Self.lines(100, in: memory) == (0..<100).map { "line \($0)" })
    }

    @Test("While nothing is pending the log's thread sleeps, and the first line wakes it")
    func idleThreadSleepsUntilTheFirstLine() async throws {
        let memory = MemoryLogWriter()
        let output = BufferedLogWriter(writing: [memory], format: .json, interval: .milliseconds(1))
        defer { output.close() }
        try await Task.sleep(for: .milliseconds(200))
        #expect(output.wakeUps == 0)
        output.write(Self.line("first"), level: .info)
        #expect(try await Self.lines(1, in: memory) == ["first"])
        #expect(output.wakeUps == 1)
    }

    @Test("An error line is written at once, after the lines before it, without waiting for the interval")
    func errorLineIsWrittenAtOnce() async throws {
        let memory = MemoryLogWriter()
        let output = BufferedLogWriter(writing: [memory], format: .json, interval: .seconds(3600))
        defer { output.close() }
        output.write(Self.line("before"), level: .info)
        output.write(Self.line("failed"), level: .error)
        #expect(try await Self.lines(2, in: memory) == ["before", "failed"])
    }

    @Test("Lines past a quarter of the limit are written without waiting for the interval")
    func burstIsWrittenBeforeTheInterval() async throws {
        let memory = MemoryLogWriter()
        let output = BufferedLogWriter(writing: [memory], format: .json, limit: 400, interval: .seconds(3600))
        defer { output.close() }
        for number in 0..<4 { output.write(Self.line("line \(number) " + String(repeating: "x", count: 21)), level: .info) }
        #expect(try await Self.lines(4, in: memory).count == 4)
    }

    @Test("Past its limit, while the output takes nothing, lines are dropped, and the next write says how many")
    func linesPastTheLimitAreDroppedAndCounted() async throws {
        let memory = MemoryLogWriter()
        memory.holdRequestLines()
        defer { memory.releaseRequestLines() }
        let output = BufferedLogWriter(writing: [memory], format: .json, limit: 100, interval: .seconds(3600))
        defer { output.close() }
        // An error line goes at once, and the output holds it: the thread waits in its write.
        output.write(Self.line(#"{"msg":"request"}"#), level: .error)
        try await Task.sleep(for: .milliseconds(100))
        let sent = (0..<10).map { "line \($0) " + String(repeating: "x", count: 21) }
        for line in sent { output.write(Self.line(line), level: .info) }
        memory.releaseRequestLines()
        let lines = try await Self.lines(5, in: memory)
        #expect(lines.count == 5)
        #expect(Array(lines.dropFirst().prefix(3)) == Array(sent.prefix(3)))
        let notice = try #require(memory.jsonLines.last)
        #expect(notice["level"] as? String == "warning")
        #expect(notice["dropped_lines"] as? Int == 7)
    }

    @Test("Closing writes what is pending, and lines after it are not written")
    func closingWritesWhatIsPending() {
        let memory = MemoryLogWriter()
        let output = BufferedLogWriter(writing: [memory], format: .json, interval: .seconds(3600))
        output.write(Self.line("pending"), level: .info)
        output.close()
        output.write(Self.line("late"), level: .info)
        output.flush()
        #expect(memory.all == ["pending"])
    }

    @Test("Closing does not wait for an output that has stopped taking lines")
    func closingDoesNotWaitForAStuckOutput() async throws {
        let memory = MemoryLogWriter()
        memory.holdRequestLines()
        defer { memory.releaseRequestLines() }
        let output = BufferedLogWriter(writing: [memory], format: .json, interval: .milliseconds(5))
        output.write(Self.line(#"{"msg":"request"}"#), level: .info)
        try await Task.sleep(for: .milliseconds(100))
        output.close(patience: .milliseconds(50))
        // Closed while the thread's write is still held: that line has not been written.
        #expect(memory.all.isEmpty)
    }

    @Test("A batch goes to LOG_DIR's combined.log whole and its error lines to error.log, in order")
    func batchGoesToTheLogDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("taogate-logs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try LogDirectoryWriter(directory: directory)
        writer.write([
            LogEntry(bytes: Self.line("one"), level: .info), LogEntry(bytes: Self.line("two"), level: .error),
            LogEntry(bytes: Self.line("three"), level: .info), LogEntry(bytes: Self.line("four"), level: .critical),
        ])
        #expect(try String(contentsOfFile: directory + "/combined.log", encoding: .utf8) == "one\ntwo\nthree\nfour\n")
        #expect(try String(contentsOfFile: directory + "/error.log", encoding: .utf8) == "two\nfour\n")
    }
}
