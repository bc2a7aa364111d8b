import Benchmark
import Foundation
import LLMClient
import NIOCore
@_spi(Benchmarks) import TaoGate

/// A streamed answer as an upstream sends it: a role chunk, 50 content chunks, the finish and
/// usage chunks, then [DONE]; cut into 1,400-byte reads (about one TCP segment each).
enum Fixture {
    static func chunk(_ delta: String, finish: String? = nil) -> String {
        let finishReason = finish.map { "\"\($0)\"" } ?? "null"
        return #"{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1732650000,"model":"gpt-4o","choices":[{"index":0,"delta":"#
            + delta + #","finish_reason":"# + finishReason + "}]}"
    }

    static let events: [String] =
        [chunk(#"{"role":"assistant","content":""}"#)]
        + (0..<50).map { chunk(#"{"content":"word\#($0) "}"#) }
        + [chunk("{}", finish: "stop")]
        + [
            #"{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1732650000,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":50,"total_tokens":62}}"#
        ]

    static let streamBytes: [UInt8] = Array((events.map { "data: \($0)\n\n" }.joined() + "data: [DONE]\n\n").utf8)

    static let reads: [ByteBuffer] = stride(from: 0, to: streamBytes.count, by: 1400).map { start in
        ByteBuffer(bytes: streamBytes[start..<min(start + 1400, streamBytes.count)])
    }

    static let decodedEvents: [ServerSentEvent] = events.map { ServerSentEvent(data: $0) }

    static let openAIBody = ByteBuffer(
        string:
            #"{"model":"gpt-4o","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Explain load balancing in one paragraph."}],"temperature":0.7,"max_tokens":300}"#
    )

    static let completion = ByteBuffer(
        string:
            #"{"id":"chatcmpl-bench","object":"chat.completion","created":1732650000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"#
            + "\"" + String(repeating: "Load balancing spreads requests across servers. ", count: 12) + "\""
            + #"},"finish_reason":"stop"}],"usage":{"prompt_tokens":24,"completion_tokens":120,"total_tokens":144}}"#
    )
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )

    Benchmark("SSE decoding: one 50-event upstream stream, in 1,400-byte reads") { benchmark in
        for _ in benchmark.scaledIterations {
            var decoder = SSEDecoder()
            var count = 0
            for read in Fixture.reads { count += try decoder.decode(read).count }
            blackHole(count)
        }
    }

    Benchmark("/v1 stream relay: 53 events framed again and checked for usage") { benchmark in
        for _ in benchmark.scaledIterations {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(16 * 1024)
            var usage: Usage?
            for event in Fixture.decodedEvents {
                if let found = HotPaths.usage(inEvent: event.data) { usage = found }
                HotPaths.relayOpenAIEvent(event, to: &buffer)
            }
            blackHole(usage)
            blackHole(buffer)
        }
    }

    Benchmark("/api stream relay: 53 chunks decoded and written as {\"content\":…}") { benchmark in
        let decoder = JSONDecoder()
        for _ in benchmark.scaledIterations {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(16 * 1024)
            for event in Fixture.decodedEvents {
                // As ChatCompletionStream does: the scanner, and the decoder for what it leaves.
                let chunk =
                    HotPaths.scanChunk(event.data)
                    ?? (try decoder.decode(ChatCompletionChunk.self, from: Data(event.data.utf8)))
                if let content = chunk.choices.first?.delta.content, !content.isEmpty {
                    HotPaths.relayContent(content, to: &buffer)
                }
            }
            blackHole(buffer)
        }
    }

    Benchmark("/v1 request parsing: model and stream from a chat completion body") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try HotPaths.parseOpenAIBody(Fixture.openAIBody))
        }
    }

    Benchmark("/v1 plain answer: usage read from a 600-byte completion") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(HotPaths.usage(inCompletion: Fixture.completion))
        }
    }
}
