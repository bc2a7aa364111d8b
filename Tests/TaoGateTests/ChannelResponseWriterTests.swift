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
        typealias OutboundIn = HTTPResponsePart
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

    static func connectedChannel(counting counter: FlushCounter) async throws -> NIOAsyncTestingChannel {
        let channel = NIOAsyncTestingChannel()
        try await channel.pipeline.addHandler(counter)
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080))
        return channel
    }

    /// Writes the response from a task on the channel's event loop, as `GatewayHTTPChannel` does,
    /// running the loop until the writing ends.
    static func write(_ response: Response, to channel: NIOAsyncTestingChannel, whileWriting: () async throws -> Void = {}) async throws {
        let finished = Atomic<Bool>(false)
        let writing = Task(executorPreference: EventLoopTaskExecutor(channel.eventLoop)) {
            defer { finished.store(true, ordering: .releasing) }
            try await ChannelResponseWriter(channel: channel).write(response)
        }
        try await whileWriting()
        while !finished.load(ordering: .acquiring) {
            await channel.testingEventLoop.run()
            await Task.yield()
        }
        await channel.testingEventLoop.run()
        try await writing.value
    }

    static func streamed(_ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> Response {
        Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody(write))
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

        var parts: [HTTPResponsePart] = []
        while let part = try await channel.readOutbound(as: HTTPResponsePart.self) { parts.append(part) }
        #expect(parts.count == 4)
        #expect(parts.last == .end(nil))
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
            var flushed: [HTTPResponsePart] = []
            while flushed.count < 2 {
                await channel.testingEventLoop.run()
                while let part = try await channel.readOutbound(as: HTTPResponsePart.self) { flushed.append(part) }
                await Task.yield()
            }
            #expect(flushed.last == .body(ByteBuffer(string: "data: one\n\n")))
            moreArrives.yield()
            moreArrives.finish()
        }
        #expect(try await channel.readOutbound(as: HTTPResponsePart.self) == .end(nil))
        #expect(counter.count == 2)
    }
}
