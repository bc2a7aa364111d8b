import LLMClient

/// Turns a chat stream's chunks into neutral events, one chunk at a time.
struct ChatChunkDecoder: Sendable {
    private var started = false
    /// The tool calls begun so far, by their index in the chunks.
    private var toolCallsStarted: Set<Int> = []
    private var sawToolCalls = false

    mutating func events(from chunk: ChatCompletionChunk) -> [LLMStreamEvent] {
        var events: [LLMStreamEvent] = []
        if !started {
            started = true
            events.append(.started(id: chunk.id, model: chunk.model))
        }
        if let choice = chunk.choices.first {
            let delta = choice.delta
            if let reasoning = delta.reasoningContent, !reasoning.isEmpty { events.append(.reasoning(reasoning)) }
            if let content = delta.content, !content.isEmpty { events.append(.text(content)) }
            for call in delta.toolCalls ?? [] {
                sawToolCalls = true
                if toolCallsStarted.insert(call.index).inserted {
                    let id = call.id.flatMap { $0.isEmpty ? nil : $0 } ?? "call_\(call.index)"
                    events.append(.toolCallStarted(index: call.index, id: id, name: call.function?.name ?? ""))
                }
                if let arguments = call.function?.arguments, !arguments.isEmpty {
                    events.append(.toolCallArguments(index: call.index, fragment: arguments))
                }
            }
            if let reason = choice.finishReason {
                events.append(.finished(ChatDecoding.finishReason(reason, hasToolCalls: sawToolCalls), stopSequence: nil))
            }
        }
        if let usage = chunk.usage { events.append(.usage(ChatDecoding.usage(from: usage))) }
        return events
    }
}
