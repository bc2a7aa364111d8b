import HTTPTypes
import Hummingbird
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Synchronization
import Testing

@testable import TaoGate

@Suite("Writing answers to the client")
struct ChannelResponseWriterTests {
    /// Counts the flushes that carry something to the socket (a flush with nothing written
    /// since the last one makes no system call).
    final class FlushCounter: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = AnswerBytes
        private let state = Mutex<(written: Bool, flushes: Int)>((false, 0))
        var count: Int { state.withLock { $0.flushes } }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            state.withLock { $0.written = true }
            context.write(data, promise: promise)
        }

        func flush(context: ChannelHandlerContext) {
            state.withLock { state in
                if state.written { state.flushes += 1 }
                state.written = false
            }
            context.flush()
        }
    }

    /// Starts writing `response` with the writes held; returns whether the writer ended before
    /// they were released, and waits for it to end after.
    static func endsBeforeItsBytesAreWritten(_ response: Response, answering context: AnswerContext) async throws -> Bool {
        let held = HeldWrites<AnswerBytes>()
        let channel = try await connectedChannel(counting: FlushCounter())
        try await channel.pipeline.addHandler(held)
        let finished = Atomic<Bool>(false)
        let writing = Task(executorPreference: EventLoopTaskExecutor(channel.eventLoop)) {
            defer { finished.store(true, ordering: .releasing) }
            try await ChannelResponseWriter(channel: channel, context: context).write(response)
        }
        for _ in 0..<100 {
            await channel.testingEventLoop.run()
            await Task.yield()
        }
        let endedEarly = finished.load(ordering: .acquiring)
        held.release()
        while !finished.load(ordering: .acquiring) {
            await channel.testingEventLoop.run()
            await Task.yield()
        }
        try await writing.value
        return endedEarly
    }

    static func connectedChannel(counting counter: FlushCounter) async throws -> NIOAsyncTestingChannel {
        let channel = NIOAsyncTestingChannel()
        try await channel.pipeline.addHandler(counter)
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080))
        return channel
    }

    /// Writes the response from a task on the channel's event loop, as `GatewayHTTPChannel` does,
    /// running the loop until the writing ends.
    @discardableResult
    static func write(
        _ response: Response,
        to channel: NIOAsyncTestingChannel,
        answering context: AnswerContext = ClientResponseHeadTests.context(),
        whileWriting: () async throws -> Void = {}
    ) async throws -> AnswerFraming {
        let finished = Atomic<Bool>(false)
        let writing = Task(executorPreference: EventLoopTaskExecutor(channel.eventLoop)) {
            defer { finished.store(true, ordering: .releasing) }
            return try await ChannelResponseWriter(channel: channel, context: context).write(response)
        }
        try await whileWriting()
        while !finished.load(ordering: .acquiring) {
            await channel.testingEventLoop.run()
            await Task.yield()
        }
        await channel.testingEventLoop.run()
        return try await writing.value
    }

    /// The writes that reached the channel so far.
    static func written(_ channel: NIOAsyncTestingChannel) async throws -> [AnswerBytes] {
        var writes: [AnswerBytes] = []
        while let write = try await channel.readOutbound(as: AnswerBytes.self) { writes.append(write) }
        return writes
    }

    static func text(_ writes: [AnswerBytes]) -> String {
        writes.map { write in
            switch write {
            case .more(let bytes), .last(let bytes): String(buffer: bytes)
            }
        }.joined()
    }

    static func isLast(_ write: AnswerBytes?) -> Bool {
        if case .last = write { true } else { false }
    }

    static func streamed(_ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> Response {
        Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody(write))
    }

    static func body(of text: String) -> String {
        String(text[text.range(of: "\r\n\r\n")!.upperBound...])
    }

    @Test("What a stream writes without waiting goes out with its end in one flush")
    func writesWithoutWaitingShareOneFlush() async throws {
        let counter = FlushCounter()
        let channel = try await Self.connectedChannel(counting: counter)
        let response = Self.streamed { writer in
            try await writer.write(ByteBuffer(string: "data: one\n\n"))
            try await writer.write(ByteBuffer(string: "data: two\n\n"))
            try await writer.finish(nil)
        }
        try await Self.write(response, to: channel)
        #expect(counter.count == 1)
        let writes = try await Self.written(channel)
        #expect(writes.count == 4)
        #expect(Self.isLast(writes.last))
    }

    @Test("A stream's writes go as chunks and it ends with the last chunk")
    func streamIsChunked() async throws {
        let channel = try await Self.connectedChannel(counting: FlushCounter())
        let response = Self.streamed { writer in
            try await writer.write(ByteBuffer(string: "data: one\n\n"))
            try await writer.write(ByteBuffer())
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        #expect(try await Self.write(response, to: channel) == .chunked)
        let text = Self.text(try await Self.written(channel))
        #expect(text.contains("Transfer-Encoding: chunked\r\n"))
        #expect(Self.body(of: text) == "b\r\ndata: one\n\n\r\ne\r\ndata: [DONE]\n\n\r\n0\r\n\r\n")
    }

    @Test("A stream to an HTTP/1.0 client goes unchunked, to end with the connection")
    func streamToHTTP10IsUnchunked() async throws {
        let channel = try await Self.connectedChannel(counting: FlushCounter())
        let response = Self.streamed { writer in
            try await writer.write(ByteBuffer(string: "data: one\n\n"))
            try await writer.finish(nil)
        }
        let context = ClientResponseHeadTests.context(http10: true, closing: true)
        #expect(try await Self.write(response, to: channel, answering: context) == .untilClose)
        #expect(Self.body(of: Self.text(try await Self.written(channel))) == "data: one\n\n")
    }

    @Test("An answer of known length goes out as one write, its body behind its head")
    func shortAnswerIsOneWrite() async throws {
        let counter = FlushCounter()
        let channel = try await Self.connectedChannel(counting: counter)
        try await Self.write(Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"ok":true}"#))), to: channel)
        let writes = try await Self.written(channel)
        #expect(writes.count == 1)
        #expect(Self.isLast(writes.first))
        #expect(Self.text(writes).hasSuffix("Content-Length: 11\r\nDate: Mon, 07 Dec 2026 16:00:00 GMT\r\nServer: TaoGate\r\n\r\n{\"ok\":true}"))
        #expect(counter.count == 1)
    }

    @Test("A long answer's body arrives whole after its head, its last bytes marked as the answer's end")
    func longAnswerArrivesWhole() async throws {
        let channel = try await Self.connectedChannel(counting: FlushCounter())
        let parts = (0..<3).map { String(repeating: Character(String($0)), count: 3000) }
        try await Self.write(Response(status: .ok, body: ResponseBody(contentsOf: parts.map { ByteBuffer(string: $0) })), to: channel)
        let writes = try await Self.written(channel)
        #expect(Self.body(of: Self.text(writes)) == parts.joined())
        #expect(Self.isLast(writes.last))
        #expect(writes.dropLast().allSatisfy { !Self.isLast($0) })
    }

    @Test("The answer to HEAD is its head alone")
    func headAnswerIsHeadAlone() async throws {
        let channel = try await Self.connectedChannel(counting: FlushCounter())
        let response = Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "body")))
        try await Self.write(response, to: channel, answering: ClientResponseHeadTests.context(.head))
        let text = Self.text(try await Self.written(channel))
        #expect(text.contains("Content-Length: 4\r\n"))
        #expect(text.hasSuffix("\r\n\r\n"))
    }

    @Test("A connection's last answer ends only once its last bytes are written (a close drops what is queued)")
    func lastAnswerOfAConnectionWaitsForItsBytes() async throws {
        let response = Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "bye")))
        #expect(try await !Self.endsBeforeItsBytesAreWritten(response, answering: ClientResponseHeadTests.context(closing: true)))
    }

    @Test("An answer on a connection kept alive ends without waiting for its bytes to be written")
    func answerKeptAliveDoesNotWait() async throws {
        let response = Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "hello")))
        #expect(try await Self.endsBeforeItsBytesAreWritten(response, answering: ClientResponseHeadTests.context()))
    }

    @Test("A stream's write is flushed as soon as the writer waits for more")
    func writeIsFlushedWhenTheWriterWaits() async throws {
        let counter = FlushCounter()
        let channel = try await Self.connectedChannel(counting: counter)
        let (more, moreArrives) = AsyncStream.makeStream(of: Void.self)
        let response = Self.streamed { writer in
            try await writer.write(ByteBuffer(string: "data: one\n\n"))
            for await _ in more { break }
            try await writer.finish(nil)
        }
        try await Self.write(response, to: channel) {
            // The head and the first event reach the client while the writer waits.
            var flushed: [AnswerBytes] = []
            while flushed.count < 2 {
                await channel.testingEventLoop.run()
                flushed += try await Self.written(channel)
                await Task.yield()
            }
            #expect(Self.text([flushed.last!]) == "b\r\ndata: one\n\n\r\n")
            moreArrives.yield()
            moreArrives.finish()
        }
        #expect(Self.text(try await Self.written(channel)) == "0\r\n\r\n")
        #expect(counter.count == 2)
    }
}
