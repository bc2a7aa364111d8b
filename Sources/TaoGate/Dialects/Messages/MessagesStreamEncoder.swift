import LLMClient
import NIOCore

/// Writes neutral stream events as an Anthropic message stream, for an Anthropic client whose
/// request went to a chat provider.
///
/// Blocks are opened and closed as the kind of content changes (thinking, text, each tool
/// call), with indices from 0 and never reused, as Anthropic's SDKs require. `message_start`
/// carries an estimate of the input tokens (a chat provider reports them only at the end);
/// `message_delta` at the end carries the stop reason and the exact counts.
struct MessagesStreamEncoder: Sendable {
    private enum Block: Equatable {
        case text
        case thinking
        case toolUse(call: Int)
    }

    private let requestedModel: String
    private let estimatedInputTokens: Int
    private var started = false
    private var openBlock: (index: Int, kind: Block)?
    private var nextBlockIndex = 0
    private var finishReason: LLMFinishReason = .stop
    private var stopSequence: String?
    private var usage: TokenUsage?
    private var sawToolCalls = false
    /// Characters of output so far, for an estimate when the provider reports no usage.
    private var outputCharacters = 0

    init(model: String, estimatedInputTokens: Int) {
        self.requestedModel = model
        self.estimatedInputTokens = estimatedInputTokens
    }

    mutating func append(_ event: LLMStreamEvent, to buffer: inout ByteBuffer) {
        switch event {
        case .started(let id, let model):
            start(id: id, model: model, to: &buffer)
        case .text(let text):
            open(.text, to: &buffer)
            outputCharacters += text.utf8.count
            writeDelta(to: &buffer) { buffer in
                buffer.writeStaticString("{\"type\":\"text_delta\",\"text\":")
                JSONText.writeString(text, to: &buffer)
                buffer.writeStaticString("}")
            }
        case .reasoning(let text):
            open(.thinking, to: &buffer)
            outputCharacters += text.utf8.count
            writeDelta(to: &buffer) { buffer in
                buffer.writeStaticString("{\"type\":\"thinking_delta\",\"thinking\":")
                JSONText.writeString(text, to: &buffer)
                buffer.writeStaticString("}")
            }
        case .reasoningSignature(let signature):
            guard openBlock?.kind == .thinking else { return }
            writeDelta(to: &buffer) { buffer in
                buffer.writeStaticString("{\"type\":\"signature_delta\",\"signature\":")
                JSONText.writeString(signature, to: &buffer)
                buffer.writeStaticString("}")
            }
        case .toolCallStarted(let call, let id, let name):
            sawToolCalls = true
            start(id: nil, model: nil, to: &buffer)
            closeBlock(to: &buffer)
            let index = nextBlockIndex
            nextBlockIndex += 1
            openBlock = (index, .toolUse(call: call))
            writeEvent("content_block_start", to: &buffer) { buffer in
                buffer.writeStaticString("{\"type\":\"content_block_start\",\"index\":")
                buffer.writeString(String(index))
                buffer.writeStaticString(",\"content_block\":{\"type\":\"tool_use\",\"id\":")
                JSONText.writeString(MessagesEncoding.toolUseID(id), to: &buffer)
                buffer.writeStaticString(",\"name\":")
                JSONText.writeString(name, to: &buffer)
                buffer.writeStaticString(",\"input\":{}}}")
            }
        case .toolCallArguments(let call, let fragment):
            // Fragments of a call whose block has closed (interleaved parallel calls) cannot be
            // placed any more; upstreams stream one call after another.
            guard openBlock?.kind == .toolUse(call: call) else { return }
            outputCharacters += fragment.utf8.count
            writeDelta(to: &buffer) { buffer in
                buffer.writeStaticString("{\"type\":\"input_json_delta\",\"partial_json\":")
                JSONText.writeString(fragment, to: &buffer)
                buffer.writeStaticString("}")
            }
        case .finished(let reason, let stopSequence):
            finishReason = reason
            self.stopSequence = stopSequence
        case .usage(let usage):
            self.usage = usage
        }
    }

    /// Closes the open block, then `message_delta` with the stop reason and the counts, and
    /// `message_stop`.
    mutating func finish(to buffer: inout ByteBuffer) {
        start(id: nil, model: nil, to: &buffer)
        closeBlock(to: &buffer)
        let usage = MessagesEncoding.usage(
            self.usage ?? TokenUsage(inputTokens: estimatedInputTokens, outputTokens: max(1, outputCharacters / 4))
        )
        writeEvent("message_delta", to: &buffer) { buffer in
            buffer.writeStaticString("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"")
            buffer.writeString(MessagesEncoding.stopReason(finishReason, hasToolCalls: sawToolCalls))
            buffer.writeStaticString("\",\"stop_sequence\":")
            if let stopSequence {
                JSONText.writeString(stopSequence, to: &buffer)
            } else {
                buffer.writeStaticString("null")
            }
            buffer.writeStaticString("},\"usage\":")
            Self.writeUsage(usage, to: &buffer)
            buffer.writeStaticString("}")
        }
        writeEvent("message_stop", to: &buffer) { $0.writeStaticString("{\"type\":\"message_stop\"}") }
    }

    // MARK: - Pieces

    private mutating func start(id: String?, model: String?, to buffer: inout ByteBuffer) {
        guard !started else { return }
        started = true
        let messageID = MessagesEncoding.messageID(id ?? "")
        let model = model.flatMap { $0.isEmpty ? nil : $0 } ?? requestedModel
        let estimate = max(1, estimatedInputTokens)
        writeEvent("message_start", to: &buffer) { buffer in
            buffer.writeStaticString("{\"type\":\"message_start\",\"message\":{\"id\":")
            JSONText.writeString(messageID, to: &buffer)
            buffer.writeStaticString(",\"type\":\"message\",\"role\":\"assistant\",\"model\":")
            JSONText.writeString(model, to: &buffer)
            buffer.writeStaticString(",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":")
            Self.writeUsage(MessagesUsage(inputTokens: estimate, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0), to: &buffer)
            buffer.writeStaticString("}}")
        }
        writeEvent("ping", to: &buffer) { $0.writeStaticString("{\"type\":\"ping\"}") }
    }

    /// Makes `kind` the open block (a text or thinking block), closing another one first.
    private mutating func open(_ kind: Block, to buffer: inout ByteBuffer) {
        start(id: nil, model: nil, to: &buffer)
        if openBlock?.kind == kind { return }
        closeBlock(to: &buffer)
        let index = nextBlockIndex
        nextBlockIndex += 1
        openBlock = (index, kind)
        writeEvent("content_block_start", to: &buffer) { buffer in
            buffer.writeStaticString("{\"type\":\"content_block_start\",\"index\":")
            buffer.writeString(String(index))
            if kind == .thinking {
                buffer.writeStaticString(",\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}")
            } else {
                buffer.writeStaticString(",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
            }
        }
    }

    private mutating func closeBlock(to buffer: inout ByteBuffer) {
        guard let block = openBlock else { return }
        openBlock = nil
        writeEvent("content_block_stop", to: &buffer) { buffer in
            buffer.writeStaticString("{\"type\":\"content_block_stop\",\"index\":")
            buffer.writeString(String(block.index))
            buffer.writeStaticString("}")
        }
    }

    private func writeDelta(to buffer: inout ByteBuffer, _ delta: (inout ByteBuffer) -> Void) {
        guard let block = openBlock else { return }
        writeEvent("content_block_delta", to: &buffer) { buffer in
            buffer.writeStaticString("{\"type\":\"content_block_delta\",\"index\":")
            buffer.writeString(String(block.index))
            buffer.writeStaticString(",\"delta\":")
            delta(&buffer)
            buffer.writeStaticString("}")
        }
    }

    private func writeEvent(_ name: StaticString, to buffer: inout ByteBuffer, _ data: (inout ByteBuffer) -> Void) {
        buffer.writeStaticString("event: ")
        buffer.writeStaticString(name)
        buffer.writeStaticString("\ndata: ")
        data(&buffer)
        buffer.writeStaticString("\n\n")
    }

    private static func writeUsage(_ usage: MessagesUsage, to buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"input_tokens\":")
        buffer.writeString(String(usage.inputTokens ?? 0))
        buffer.writeStaticString(",\"cache_creation_input_tokens\":")
        buffer.writeString(String(usage.cacheCreationInputTokens ?? 0))
        buffer.writeStaticString(",\"cache_read_input_tokens\":")
        buffer.writeString(String(usage.cacheReadInputTokens ?? 0))
        buffer.writeStaticString(",\"output_tokens\":")
        buffer.writeString(String(usage.outputTokens ?? 0))
        buffer.writeStaticString("}")
    }
}
