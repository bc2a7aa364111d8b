import NIOCore
import NIOHTTP1

/// An upstream's answer: its head, and its body as it arrives (or whole, when asked for so).
public struct UpstreamResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: UpstreamResponseBody
}

/// A response body, read once by one task. A streamed body is read from the upstream only as
/// fast as this is read (a few buffers ahead), and its connection is closed if the reader stops
/// before the end. A body the transport read whole is handed over in one buffer.
public struct UpstreamResponseBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    private enum Source {
        case streamed(UpstreamBodyReader)
        case whole(ByteBuffer)
    }

    private let source: Source

    init(streaming queue: UpstreamBodyQueue) { source = .streamed(UpstreamBodyReader(queue, holds: .body)) }

    init(whole body: ByteBuffer) { source = .whole(body) }

    public func makeAsyncIterator() -> AsyncIterator {
        switch source {
        case .streamed(let body): AsyncIterator(streamed: body.queue.makeIterator(), whole: nil)
        case .whole(let body): AsyncIterator(streamed: nil, whole: body.readableBytes > 0 ? body : nil)
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var streamed: UpstreamBodyReader?
        var whole: ByteBuffer?

        public mutating func next() async throws -> ByteBuffer? {
            if let streamed { return try await streamed.queue.next() }
            defer { whole = nil }
            return whole
        }
    }

    /// The whole body; `ProviderError.invalidResponse` past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        if case .whole(let body) = source {
            guard body.readableBytes <= limit else { throw Self.tooLarge(limit) }
            return body
        }
        var collected: ByteBuffer?
        for try await var part in self {
            guard (collected?.readableBytes ?? 0) + part.readableBytes <= limit else { throw Self.tooLarge(limit) }
            if collected == nil { collected = part } else { collected!.writeBuffer(&part) }
        }
        return collected ?? ByteBuffer()
    }

    static func tooLarge(_ limit: Int) -> ProviderError {
        .invalidResponse("the upstream's answer is larger than \(limit) bytes")
    }
}
