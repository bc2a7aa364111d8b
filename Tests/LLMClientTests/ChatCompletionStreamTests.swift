import LLMClient
import NIOCore
import Testing

@Suite("Chat completion stream")
struct ChatCompletionStreamTests {
    private func chunks(_ text: String) async throws -> [ChatCompletionChunk] {
        let stream = ChatCompletionStream(bytes: [ByteBuffer(string: text)].async)
        var result: [ChatCompletionChunk] = []
        for try await chunk in stream { result.append(chunk) }
        return result
    }

    @Test("Chunks are decoded until [DONE]")
    func chunksAreDecodedUntilDone() async throws {
        let text = """
            data: {"id":"1","choices":[{"index":0,"delta":{"content":"Hel"}}]}

            data: {"id":"1","choices":[{"index":0,"delta":{"content":"lo"}}]}

            data: [DONE]

            data: {"id":"1","choices":[{"index":0,"delta":{"content":"ignored"}}]}


            """
        #expect(try await chunks(text).compactMap(\.contentDelta) == ["Hel", "lo"])
    }

    @Test("The iterator tells whether the next event is already decoded from the bytes read so far")
    func iteratorTellsWhetherEventsAreBuffered() async throws {
        let first = ByteBuffer(string: "data: 1\n\ndata: 2\n\n")
        let second = ByteBuffer(string: "data: 3\n\n")
        var iterator = ServerSentEventStream(bytes: [first, second].async).makeAsyncIterator()
        #expect(try await iterator.next()?.data == "1")
        #expect(iterator.hasBufferedEvent)
        #expect(try await iterator.next()?.data == "2")
        #expect(!iterator.hasBufferedEvent)
        #expect(try await iterator.next()?.data == "3")
    }

    @Test("The iterator lends a body the events each read completes, the last one at the end of the bytes, then says it has ended")
    func iteratorLendsTheEventsOfEachRead() async throws {
        let reads = ["data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4", "\n\ndata: 5\n\n", "data: 6"].map { ByteBuffer(string: $0) }
        var iterator = ServerSentEventStream(bytes: reads.async).makeAsyncIterator()
        #expect(try await iterator.next()?.data == "1")
        var lent: [[String]] = []
        while true {
            var events: [String] = []
            guard try await iterator.nextEvents({ events.append($0.data) }) else { break }
            lent.append(events)
        }
        #expect(lent == [["2", "3"], ["4", "5"], ["6"]])
    }

    @Test("A stream that closes without [DONE] still ends cleanly")
    func streamWithoutDoneEndsCleanly() async throws {
        let text = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
        #expect(try await chunks(text).compactMap(\.contentDelta) == ["a"])
    }

    @Test("The usage chunk is decoded")
    func usageChunkIsDecoded() async throws {
        let text = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}\n\ndata: [DONE]\n\n"
        #expect(try await chunks(text).first?.usage == Usage(promptTokens: 3, completionTokens: 4))
    }

    @Test("Data that is not JSON is an invalid response")
    func garbageIsAnInvalidResponse() async throws {
        await #expect(throws: ProviderError.invalidResponse("stream event is not a chat completion chunk")) {
            _ = try await chunks("data: not json\n\n")
        }
    }

    @Test("An error object in the stream is reported as a provider error")
    func errorObjectIsReported() async throws {
        await #expect(throws: ProviderError.self) {
            _ = try await chunks("data: {\"error\":{\"message\":\"overloaded\"}}\n\n")
        }
    }
}

extension Array where Element: Sendable {
    var async: AsyncArraySequence<Self> { AsyncArraySequence(self) }
}

struct AsyncArraySequence<Base: Collection & Sendable>: AsyncSequence, Sendable where Base.Element: Sendable {
    let base: Base
    init(_ base: Base) { self.base = base }

    struct AsyncIterator: AsyncIteratorProtocol {
        var iterator: Base.Iterator
        mutating func next() async -> Base.Element? { iterator.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(iterator: base.makeIterator()) }
}
