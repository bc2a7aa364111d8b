import LLMClient

/// Turns a streamed Anthropic message's events into neutral events, one event at a time.
struct MessagesEventDecoder: Sendable {
    /// The tool call number of each `tool_use` block, by block index.
    private var toolCallOfBlock: [Int: Int] = [:]
    private var usage = MessagesUsage()
    private var sawToolCalls = false

    mutating func events(from event: MessagesStreamEvent) -> [LLMStreamEvent] {
        switch event {
        case .messageStart(let message):
            merge(message.usage)
            return [.started(id: message.id, model: message.model)]
        case .contentBlockStart(let index, let block):
            switch block {
            case .text(let text): return text.isEmpty ? [] : [.text(text)]
            case .thinking(let thinking, _): return thinking.isEmpty ? [] : [.reasoning(thinking)]
            case .toolUse(let id, let name, let input):
                sawToolCalls = true
                let number = toolCallOfBlock.count
                toolCallOfBlock[index] = number
                // A block usually starts with `{}` and streams its input; a complete input is kept.
                let arguments = input == .object([:]) ? [] : [LLMStreamEvent.toolCallArguments(index: number, fragment: input.jsonText)]
                return [.toolCallStarted(index: number, id: id, name: name)] + arguments
            default: return []
            }
        case .contentBlockDelta(let index, let delta):
            switch delta {
            case .text(let text): return [.text(text)]
            case .thinking(let thinking): return [.reasoning(thinking)]
            case .signature(let signature): return [.reasoningSignature(signature)]
            case .inputJSON(let json):
                guard let number = toolCallOfBlock[index], !json.isEmpty else { return [] }
                return [.toolCallArguments(index: number, fragment: json)]
            case .other: return []
            }
        case .messageDelta(let stopReason, let stopSequence, let deltaUsage):
            if let deltaUsage { merge(deltaUsage) }
            var events: [LLMStreamEvent] = []
            if stopReason != nil || sawToolCalls {
                events.append(.finished(MessagesDecoding.finishReason(stopReason, hasToolCalls: sawToolCalls), stopSequence: stopSequence))
            }
            events.append(.usage(MessagesDecoding.usage(from: usage)))
            return events
        case .contentBlockStop, .messageStop, .ping, .error, .unknown:
            return []
        }
    }

    /// `message_delta` counts are cumulative: each one present replaces the one before.
    private mutating func merge(_ update: MessagesUsage) {
        if let value = update.inputTokens { usage.inputTokens = value }
        if let value = update.outputTokens { usage.outputTokens = value }
        if let value = update.cacheReadInputTokens { usage.cacheReadInputTokens = value }
        if let value = update.cacheCreationInputTokens { usage.cacheCreationInputTokens = value }
    }
}
