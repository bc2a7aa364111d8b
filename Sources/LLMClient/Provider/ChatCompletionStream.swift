import Foundation
import NIOCore

/// The chunks of a streamed chat completion, decoded from the upstream's server-sent events.
///
/// Ends at `data: [DONE]`, or when the upstream closes without it. Failures while reading
/// (idle timeout, a broken connection, an error event, data that is not JSON) surface as
/// `ProviderError`; nothing is retried once chunks flow.
public struct ChatCompletionStream: AsyncSequence, Sendable {
    public typealias Element = ChatCompletionChunk

    private let events: ServerSentEventStream

    public init(events: ServerSentEventStream) {
        self.events = events
    }

    /// A stream over any sequence of byte buffers: for tests and for other transports.
    public init<Bytes: AsyncSequence & Sendable>(bytes: Bytes, maxEventBytes: Int = 16 * 1024 * 1024)
    where Bytes.Element == ByteBuffer {
        self.events = ServerSentEventStream(bytes: bytes, maxEventBytes: maxEventBytes)
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(events: events.makeAsyncIterator())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        private var events: ServerSentEventStream.AsyncIterator
        private var finished = false
        private let jsonDecoder = JSONDecoder()

        init(events: ServerSentEventStream.AsyncIterator) {
            self.events = events
        }

        /// Whether more of the stream is already decoded, so `next()` is unlikely to wait for the
        /// network. A relay writes what it has gathered when this turns false.
        public var hasBufferedChunk: Bool { events.hasBufferedEvent }

        public mutating func next() async throws -> ChatCompletionChunk? {
            while !finished, let event = try await events.next() {
                if event.dataIs("[DONE]") {
                    // Read to the end of the body, so that its connection can be used again.
                    await events.drain()
                    finished = true
                    return nil
                }
                try ProviderError.throwIfErrorEvent(event)
                if event.dataBytes.readableBytes == 0 { continue }
                if let chunk = ChatCompletionChunk.scanned(from: event.dataBytes) { return chunk }
                do {
                    return try jsonDecoder.decode(ChatCompletionChunk.self, from: Data(event.dataBytes.readableBytesView))
                } catch {
                    throw ProviderError.invalidResponse("stream event is not a chat completion chunk")
                }
            }
            finished = true
            return nil
        }
    }
}

extension ProviderError {
    /// An `event: error`, or a `data: {"error":…}` as OpenAI-compatible APIs send mid-stream, in
    /// OpenAI's shape or Anthropic's.
    public static func throwIfErrorEvent(_ event: ServerSentEvent) throws {
        let data = event.dataBytes.readableBytesView
        guard event.event == "error" || data.starts(with: #"{"error""#.utf8) || data.starts(with: #"{"type":"error""#.utf8) else { return }
        let report = UpstreamErrorReport(body: event.dataBytes)
        let status =
            switch report.type {
            case "overloaded_error": 529
            case "rate_limit_error": 429
            case "invalid_request_error": 400
            default: 502
            }
        throw ProviderError(
            kind: .status,
            status: status,
            upstreamMessage: report.message ?? "error event in stream",
            upstreamType: report.type,
            upstreamCode: report.code
        )
    }
}
