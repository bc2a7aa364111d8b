import NIOCore
import NIOHTTP1

/// An upstream's answer: its head, and its body as it arrives.
public struct UpstreamResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: UpstreamResponseBody
}

/// A response body, read once by one task. The connection reads from the upstream only as fast
/// as this is read (a few buffers ahead), and is closed if the reader stops before the end.
public struct UpstreamResponseBody: AsyncSequence, @unchecked Sendable {
    // @unchecked: the producer's sequence is not Sendable because it has one consumer; the body
    // is handed from the transport to exactly one reader.
    public typealias Element = ByteBuffer
    typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, BodyDemand
    >

    private let producer: Producer

    init(_ producer: Producer) { self.producer = producer }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: producer.makeAsyncIterator()) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Producer.AsyncIterator

        public mutating func next() async throws -> ByteBuffer? { try await base.next() }
    }

    /// The whole body; `ProviderError.invalidResponse` past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        var collected: ByteBuffer?
        for try await var part in self {
            guard (collected?.readableBytes ?? 0) + part.readableBytes <= limit else {
                throw ProviderError.invalidResponse("the upstream's answer is larger than \(limit) bytes")
            }
            if collected == nil { collected = part } else { collected!.writeBuffer(&part) }
        }
        return collected ?? ByteBuffer()
    }
}
