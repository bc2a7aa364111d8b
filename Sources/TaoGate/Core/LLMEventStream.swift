import LLMClient

/// A streamed answer from a provider, as neutral events: read from a chat provider's chunks or
/// an Anthropic provider's events, whichever API the request was translated to.
struct LLMEventStream: AsyncSequence, Sendable {
    typealias Element = LLMStreamEvent

    private enum Source: Sendable {
        case chat(ChatCompletionStream)
        case messages(MessagesEventStream)
    }

    private let source: Source

    init(chat: ChatCompletionStream) {
        self.source = .chat(chat)
    }

    init(messages: MessagesEventStream) {
        self.source = .messages(messages)
    }

    func makeAsyncIterator() -> AsyncIterator {
        switch source {
        case .chat(let stream): AsyncIterator(source: .chat(stream.makeAsyncIterator(), ChatChunkDecoder()))
        case .messages(let stream): AsyncIterator(source: .messages(stream.makeAsyncIterator(), MessagesEventDecoder()))
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        enum Source {
            case chat(ChatCompletionStream.AsyncIterator, ChatChunkDecoder)
            case messages(MessagesEventStream.AsyncIterator, MessagesEventDecoder)
        }

        private var source: Source
        private var pending: [LLMStreamEvent] = []
        private var pendingIndex = 0

        init(source: Source) {
            self.source = source
        }

        /// Whether the next event is at hand without waiting for the network: a relay writes what
        /// it has gathered when this turns false.
        var hasBufferedEvent: Bool {
            if pendingIndex < pending.count { return true }
            switch source {
            case .chat(let iterator, _): return iterator.hasBufferedChunk
            case .messages(let iterator, _): return iterator.hasBufferedEvent
            }
        }

        mutating func next() async throws -> LLMStreamEvent? {
            while pendingIndex == pending.count {
                pendingIndex = 0
                switch source {
                case .chat(var iterator, var decoder):
                    let chunk = try await iterator.next()
                    pending = chunk.map { decoder.events(from: $0) } ?? []
                    source = .chat(iterator, decoder)
                    if chunk == nil { return nil }
                case .messages(var iterator, var decoder):
                    let event = try await iterator.next()
                    pending = event.map { decoder.events(from: $0) } ?? []
                    source = .messages(iterator, decoder)
                    if event == nil { return nil }
                }
            }
            defer { pendingIndex += 1 }
            return pending[pendingIndex]
        }
    }
}
