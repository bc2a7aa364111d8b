import Hummingbird
import NIOCore

/// Relays a translated stream: neutral events, each encoded by the client's dialect, gathered
/// while more are at hand and written together. Notes usage and relayed content in the record.
enum StreamRelay {
    @concurrent static func relay(
        _ events: LLMEventStream,
        record: RequestRecord,
        to writer: inout any ResponseBodyWriter,
        encode: (LLMStreamEvent, inout ByteBuffer) -> Void,
        finish: (inout ByteBuffer) -> Void
    ) async throws {
        var pending = ByteBuffer()
        var iterator = events.makeAsyncIterator()
        while let event = try await iterator.next() {
            switch event {
            case .usage(let usage): record.noteUsage(usage)
            case .text, .reasoning, .toolCallArguments, .toolCallStarted: record.noteRelayedChunk()
            default: break
            }
            encode(event, &pending)
            if !iterator.hasBufferedEvent, pending.readableBytes > 0 {
                try await writer.write(pending)
                pending.clear()
            }
        }
        finish(&pending)
        try await writer.write(pending)
    }
}
