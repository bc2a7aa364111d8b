import NIOCore

/// The server-sent events of a response body, decoded as the bytes arrive.
///
/// Ends when the body ends (a last event without its blank line is still delivered). Failures
/// while reading surface as `ProviderError`: `.timeout` for the idle timeout, `.unreachable` for
/// a broken connection, `.invalidResponse` for an event over the size limit.
public struct ServerSentEventStream: AsyncSequence, Sendable {
    public typealias Element = ServerSentEvent

    private let makeBuffers: @Sendable () -> AnyAsyncByteBufferIterator
    private let maxEventBytes: Int

    init(body: UpstreamResponseBody, maxEventBytes: Int) {
        self.makeBuffers = { AnyAsyncByteBufferIterator(body.makeAsyncIterator()) }
        self.maxEventBytes = maxEventBytes
    }

    /// Events from any sequence of byte buffers: for tests and for other transports.
    public init<Bytes: AsyncSequence & Sendable>(bytes: Bytes, maxEventBytes: Int = 16 * 1024 * 1024)
    where Bytes.Element == ByteBuffer {
        self.makeBuffers = { AnyAsyncByteBufferIterator(bytes.makeAsyncIterator()) }
        self.maxEventBytes = maxEventBytes
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffers: makeBuffers(), decoder: SSEDecoder(maxEventBytes: maxEventBytes))
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        private var buffers: AnyAsyncByteBufferIterator
        private var decoder: SSEDecoder
        private var pending: [ServerSentEvent] = []
        private var pendingIndex = 0
        private var finished = false

        init(buffers: AnyAsyncByteBufferIterator, decoder: SSEDecoder) {
            self.buffers = buffers
            self.decoder = decoder
        }

        /// Whether the next event is already decoded, so `next()` will not wait for the network.
        /// A relay writes what it has gathered when this turns false.
        public var hasBufferedEvent: Bool { pendingIndex < pending.count }

        public mutating func next() async throws -> ServerSentEvent? {
            if pendingIndex == pending.count, try await !decodeNextRead() { return nil }
            defer { pendingIndex += 1 }
            return pending[pendingIndex]
        }

        /// Hands `body` the events that the next read completes (or those left of an earlier
        /// one), waiting for the network only when none is left; false, with no event, at the
        /// end of the body. The events are lent as they are decoded, not gathered or copied: a
        /// relay reads each once, with no `await` per event, and writes what one call gave it in
        /// one write.
        public mutating func nextEvents(_ body: (ServerSentEvent) -> Void) async throws -> Bool {
            if pendingIndex < pending.count {
                for index in pendingIndex..<pending.count { body(pending[index]) }
                pendingIndex = pending.count
                return true
            }
            var delivered = false
            while !delivered {
                guard
                    try await decodeNextRead(each: { event in
                        delivered = true
                        body(event)
                    })
                else { return false }
            }
            return true
        }

        /// Reads until a read completes an event; false at the end of the body.
        private mutating func decodeNextRead() async throws -> Bool {
            while pendingIndex == pending.count {
                var events: [ServerSentEvent] = []
                guard try await decodeNextRead(each: { events.append($0) }) else { return false }
                pending = events
                pendingIndex = 0
            }
            return true
        }

        /// Decodes the body's next read (or its end), handing `body` the events it completes;
        /// false when the body had already ended.
        private mutating func decodeNextRead(each body: (ServerSentEvent) -> Void) async throws -> Bool {
            if finished { return false }
            let buffer: ByteBuffer?
            do {
                buffer = try await buffers.next()
            } catch {
                throw ProviderError(readingStreamFailedWith: error)
            }
            do {
                if let buffer {
                    try decoder.decode(buffer, each: body)
                } else {
                    finished = true
                    try decoder.finish(each: body)
                }
            } catch {
                throw ProviderError.invalidResponse("\(error)")
            }
            return true
        }

        /// Reads what is left of the body after the last event a reader wants (`[DONE]`,
        /// `message_stop`), so that its connection goes back to the pool instead of being closed.
        /// Gives up, without an error, after `limit` more bytes or at the first failure.
        public mutating func drain(upTo limit: Int = 64 * 1024) async {
            var seen = 0
            while !finished, seen <= limit {
                guard let buffer = try? await buffers.next() else {
                    finished = true
                    return
                }
                seen += buffer.readableBytes
            }
        }
    }
}

/// Type-erases the byte-buffer iterator of a response body (or of a test sequence).
struct AnyAsyncByteBufferIterator {
    private var nextBuffer: () async throws -> ByteBuffer?

    init<Iterator: AsyncIteratorProtocol>(_ iterator: Iterator) where Iterator.Element == ByteBuffer {
        var iterator = iterator
        self.nextBuffer = { try await iterator.next(isolation: #isolation) }
    }

    mutating func next() async throws -> ByteBuffer? {
        try await nextBuffer()
    }
}
