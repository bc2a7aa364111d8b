import AsyncHTTPClient
import Foundation
import NIOCore

/// The chunks of a streamed chat completion, decoded from the upstream's server-sent events.
///
/// Ends at `data: [DONE]`, or when the upstream closes without it. Failures while reading
/// (idle timeout, a broken connection, an error event, data that is not JSON) surface as
/// `ProviderError`; nothing is retried once chunks flow.
public struct ChatCompletionStream: AsyncSequence, Sendable {
    public typealias Element = ChatCompletionChunk

    private let makeBuffers: @Sendable () -> AnyAsyncByteBufferIterator
    private let maxEventBytes: Int

    init(body: HTTPClientResponse.Body, maxEventBytes: Int) {
        self.makeBuffers = { AnyAsyncByteBufferIterator(body.makeAsyncIterator()) }
        self.maxEventBytes = maxEventBytes
    }

    /// A stream over any sequence of byte buffers: for tests and for other transports.
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
        private let jsonDecoder = JSONDecoder()

        init(buffers: AnyAsyncByteBufferIterator, decoder: SSEDecoder) {
            self.buffers = buffers
            self.decoder = decoder
        }

        public mutating func next() async throws -> ChatCompletionChunk? {
            while true {
                if pendingIndex < pending.count {
                    let event = pending[pendingIndex]
                    pendingIndex += 1
                    if let chunk = try decodeChunk(event) { return chunk }
                    if finished { return nil }
                    continue
                }
                if finished { return nil }
                let buffer: ByteBuffer?
                do {
                    buffer = try await buffers.next()
                } catch {
                    throw ProviderError(readingStreamFailedWith: error)
                }
                do {
                    if let buffer {
                        pending = try decoder.decode(buffer)
                    } else {
                        pending = try decoder.finish()
                        finished = true
                    }
                } catch {
                    throw ProviderError.invalidResponse("\(error)")
                }
                pendingIndex = 0
            }
        }

        /// Nil for events that carry no chunk: `[DONE]` (which also ends the stream) and empty data.
        private mutating func decodeChunk(_ event: ServerSentEvent) throws -> ChatCompletionChunk? {
            let data = event.data
            if data == "[DONE]" {
                finished = true
                pending.removeAll()
                return nil
            }
            if event.event == "error" || data.hasPrefix("{\"error\"") {
                let message = (try? jsonDecoder.decode(OpenAIErrorBody.self, from: Data(data.utf8)))?.error.message
                throw ProviderError(kind: .status, status: 502, upstreamMessage: message ?? "error event in stream")
            }
            if data.isEmpty { return nil }
            do {
                return try jsonDecoder.decode(ChatCompletionChunk.self, from: Data(data.utf8))
            } catch {
                throw ProviderError.invalidResponse("stream event is not a chat completion chunk")
            }
        }
    }
}

/// Type-erases the byte-buffer iterator of a response body (or of a test sequence).
struct AnyAsyncByteBufferIterator {
    private var nextBuffer: () async throws -> ByteBuffer?

    init<Iterator: AsyncIteratorProtocol>(_ iterator: Iterator) where Iterator.Element == ByteBuffer {
        var iterator = iterator
        self.nextBuffer = { try await iterator.next() }
    }

    mutating func next() async throws -> ByteBuffer? {
        try await nextBuffer()
    }
}
