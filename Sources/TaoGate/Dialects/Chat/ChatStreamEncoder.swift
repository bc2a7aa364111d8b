import Foundation
import NIOCore

/// Writes neutral stream events as chat completion chunks, for a chat client whose request went
/// to a provider of another API. Each chunk is written as bytes; only the parts that change are
/// escaped per chunk.
struct ChatStreamEncoder: Sendable {
    /// `{"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":`
    private var prefix = ByteBuffer()
    private let includeUsage: Bool
    private var usage: TokenUsage?
    private var sentRole = false
    /// The client's index of each tool call, by the index the events use.
    private var toolCallIndex: [Int: Int] = [:]

    /// - Parameter includeUsage: the client asked for `stream_options.include_usage`.
    init(model: String, includeUsage: Bool, created: Int = Int(Date().timeIntervalSince1970)) {
        self.includeUsage = includeUsage
        prefix.writeStaticString("data: {\"id\":")
        JSONText.writeString("chatcmpl-\(RequestIdentifier.next())", to: &prefix)
        prefix.writeStaticString(",\"object\":\"chat.completion.chunk\",\"created\":")
        prefix.writeString(String(created))
        prefix.writeStaticString(",\"model\":")
        JSONText.writeString(model, to: &prefix)
        prefix.writeStaticString(",\"choices\":")
    }

    mutating func append(_ event: LLMStreamEvent, to buffer: inout ByteBuffer) {
        switch event {
        case .started:
            writeRoleIfNeeded(to: &buffer)
        case .text(let text):
            writeRoleIfNeeded(to: &buffer)
            writeDelta(to: &buffer) { buffer in
                buffer.writeStaticString("\"content\":")
                JSONText.writeString(text, to: &buffer)
            }
        case .reasoning(let text):
            writeRoleIfNeeded(to: &buffer)
            writeDelta(to: &buffer) { buffer in
                buffer.writeStaticString("\"reasoning_content\":")
                JSONText.writeString(text, to: &buffer)
            }
        case .reasoningSignature:
            break
        case .toolCallStarted(let index, let id, let name):
            writeRoleIfNeeded(to: &buffer)
            let clientIndex = toolCallIndex.count
            toolCallIndex[index] = clientIndex
            writeDelta(to: &buffer) { buffer in
                buffer.writeStaticString("\"tool_calls\":[{\"index\":")
                buffer.writeString(String(clientIndex))
                buffer.writeStaticString(",\"id\":")
                JSONText.writeString(id, to: &buffer)
                buffer.writeStaticString(",\"type\":\"function\",\"function\":{\"name\":")
                JSONText.writeString(name, to: &buffer)
                buffer.writeStaticString(",\"arguments\":\"\"}}]")
            }
        case .toolCallArguments(let index, let fragment):
            guard let clientIndex = toolCallIndex[index] else { return }
            writeDelta(to: &buffer) { buffer in
                buffer.writeStaticString("\"tool_calls\":[{\"index\":")
                buffer.writeString(String(clientIndex))
                buffer.writeStaticString(",\"function\":{\"arguments\":")
                JSONText.writeString(fragment, to: &buffer)
                buffer.writeStaticString("}}]")
            }
        case .finished(let reason, _):
            writeRoleIfNeeded(to: &buffer)
            buffer.writeImmutableBuffer(prefix)
            buffer.writeStaticString("[{\"index\":0,\"delta\":{},\"finish_reason\":\"")
            buffer.writeString(ChatEncoding.finishReason(reason))
            buffer.writeStaticString("\"}]}\n\n")
        case .usage(let usage):
            self.usage = usage
        }
    }

    /// The usage chunk (when the client asked for it) and `[DONE]`.
    mutating func finish(to buffer: inout ByteBuffer) {
        if includeUsage, let usage {
            buffer.writeImmutableBuffer(prefix)
            buffer.writeStaticString("[],\"usage\":")
            let data = (try? JSONEncoder().encode(ChatEncoding.usage(usage))) ?? Data("null".utf8)
            buffer.writeBytes(data)
            buffer.writeStaticString("}\n\n")
        }
        buffer.writeStaticString("data: [DONE]\n\n")
    }

    private mutating func writeRoleIfNeeded(to buffer: inout ByteBuffer) {
        guard !sentRole else { return }
        sentRole = true
        writeDelta(to: &buffer) { $0.writeStaticString("\"role\":\"assistant\",\"content\":\"\"") }
    }

    private func writeDelta(to buffer: inout ByteBuffer, _ members: (inout ByteBuffer) -> Void) {
        buffer.writeImmutableBuffer(prefix)
        buffer.writeStaticString("[{\"index\":0,\"delta\":{")
        members(&buffer)
        buffer.writeStaticString("},\"finish_reason\":null}]}\n\n")
    }
}
