import LLMClient

/// Anthropic messages → the neutral core: requests from Anthropic clients (for providers that
/// speak only chat), and answers and stream events from Anthropic providers.
enum MessagesDecoding {
    /// The top-level members `request(from:presentKeys:)` carries over; any other member (such as
    /// `top_k`, `context_management`, `service_tier`) is named in the log line as dropped.
    static let understoodKeys: Set<String> = [
        "model", "messages", "system", "max_tokens", "stop_sequences", "stream", "temperature", "top_p", "tools",
        "tool_choice", "thinking", "output_config", "metadata",
    ]

    /// An Anthropic request in neutral form. Throws for what a chat provider cannot carry: server
    /// tools (`web_search_*`, …) and blocks such as `document`, named in the error.
    static func request(from messages: MessagesRequest, presentKeys: [String] = []) throws -> LLMRequest {
        var request = LLMRequest(model: messages.model, system: try system(messages.system), messages: [])
        for message in messages.messages {
            request.messages += try self.messages(from: message)
        }
        request.tools = try (messages.tools ?? []).map { tool in
            guard !tool.isServerTool else { throw TranslationError.unsupported("server tool `\(tool.type ?? tool.name)`") }
            return LLMTool(name: tool.name, description: tool.description, parameters: tool.inputSchema ?? .object(["type": .string("object")]))
        }
        if let choice = messages.toolChoice {
            request.toolChoice = toolChoice(from: choice)
            if choice.disableParallelToolUse == true { request.parallelToolCalls = false }
        }
        request.maxTokens = messages.maxTokens
        request.temperature = messages.temperature
        request.topP = messages.topP
        request.stopSequences = messages.stopSequences ?? []
        request.user = messages.metadata?.userID
        request.reasoning = reasoning(messages.thinking, effort: messages.outputConfig?.effort)
        if let format = messages.outputConfig?.format, format["type"]?.stringValue == "json_schema" {
            request.responseFormat = .jsonSchema(name: "response", schema: format["schema"] ?? .object([:]), strict: true)
        }
        request.dropped = presentKeys.filter { !understoodKeys.contains($0) }
        return request
    }

    static func system(_ system: MessagesSystem?) throws -> String? {
        switch system {
        case nil: return nil
        case .text(let text): return text.isEmpty ? nil : text
        case .blocks(let blocks):
            let texts = try blocks.map { block -> String in
                guard case .text(let text) = block else { throw TranslationError.unsupported("system block `\(block.type)`") }
                return text
            }
            return texts.isEmpty ? nil : texts.joined(separator: "\n\n")
        }
    }

    /// One Anthropic turn as neutral messages. A user turn's tool results become `tool`
    /// messages, first and in order (chat wants them right after the assistant's calls), and
    /// the rest of the turn a user message after them.
    static func messages(from message: MessagesMessage) throws -> [LLMMessage] {
        switch message.role {
        case "user":
            var toolMessages: [LLMMessage] = []
            var rest: [LLMContent] = []
            for block in message.content {
                switch block {
                case .toolResult(let id, let content, let isError):
                    let result = LLMToolResult(toolCallID: id, content: try toolResultContent(content), isError: isError ?? false)
                    toolMessages.append(LLMMessage(role: .tool, content: [.toolResult(result)]))
                default:
                    rest.append(try userContent(block))
                }
            }
            return toolMessages + (rest.isEmpty ? [] : [LLMMessage(role: .user, content: rest)])
        case "assistant":
            let content = try message.content.map { block -> LLMContent in
                switch block {
                case .text(let text): return .text(text)
                case .toolUse(let id, let name, let input): return .toolCall(id: id, name: name, arguments: input.jsonText)
                case .thinking(let thinking, let signature): return .reasoning(text: thinking, signature: signature)
                case .redactedThinking(let data): return .redactedReasoning(data: data)
                default: throw TranslationError.unsupported("content block `\(block.type)`")
                }
            }
            return [LLMMessage(role: .assistant, content: content)]
        case "system":
            return [LLMMessage(role: .system, content: [.text(try message.content.map(userContent).compactMap(\.text).joined())])]
        default:
            throw TranslationError.unsupported("message role `\(message.role)`")
        }
    }

    static func userContent(_ block: MessagesContentBlock) throws -> LLMContent {
        switch block {
        case .text(let text): return .text(text)
        case .image(let source): return .image(try image(source))
        default: throw TranslationError.unsupported("content block `\(block.type)`")
        }
    }

    static func image(_ source: MessagesImageSource) throws -> LLMImage {
        if source.type == "base64", let data = source.data { return .data(mediaType: source.mediaType ?? "image/png", base64: data) }
        if source.type == "url", let url = source.url { return .url(url) }
        throw TranslationError.unsupported("image source `\(source.type)`")
    }

    static func toolResultContent(_ content: MessagesToolResultContent?) throws -> [LLMContent] {
        switch content {
        case nil: return []
        case .text(let text): return [.text(text)]
        case .blocks(let blocks): return try blocks.map(userContent)
        }
    }

    static func toolChoice(from choice: MessagesToolChoice) -> LLMToolChoice {
        switch choice.type {
        case "any": .required
        case "none": .none
        case "tool": .tool(name: choice.name ?? "")
        default: .auto
        }
    }

    /// `enabled` with its budget, or `adaptive` with `output_config.effort` (medium without it).
    static func reasoning(_ thinking: MessagesThinking?, effort: String?) -> LLMReasoning? {
        switch thinking?.type {
        case "enabled": LLMReasoning(effort: nil, budgetTokens: thinking?.budgetTokens)
        case "adaptive": LLMReasoning(effort: effort ?? "medium")
        default: nil
        }
    }

    // MARK: - Answers

    static func response(from message: MessagesResponse) throws -> LLMResponse {
        var content: [LLMContent] = []
        for block in message.content {
            switch block {
            case .text(let text): content.append(.text(text))
            case .toolUse(let id, let name, let input): content.append(.toolCall(id: id, name: name, arguments: input.jsonText))
            case .thinking(let thinking, let signature): content.append(.reasoning(text: thinking, signature: signature))
            case .redactedThinking(let data): content.append(.redactedReasoning(data: data))
            default: break  // server tools' blocks: nothing a chat client could use
            }
        }
        let hasToolCalls = content.contains { if case .toolCall = $0 { true } else { false } }
        return LLMResponse(
            id: message.id,
            model: message.model,
            content: content,
            finishReason: finishReason(message.stopReason, hasToolCalls: hasToolCalls),
            stopSequence: message.stopSequence,
            usage: usage(from: message.usage)
        )
    }

    static func finishReason(_ reason: String?, hasToolCalls: Bool) -> LLMFinishReason {
        switch reason {
        case "max_tokens", "model_context_window_exceeded": .length
        case "tool_use": .toolCalls
        case "stop_sequence": .stopSequence
        case "refusal": .contentFilter
        default: hasToolCalls ? .toolCalls : .stop
        }
    }

    /// Anthropic's `input_tokens` leaves out the cached ones; the neutral count includes them.
    static func usage(from usage: MessagesUsage) -> TokenUsage {
        let cacheRead = usage.cacheReadInputTokens ?? 0
        let cacheWrite = usage.cacheCreationInputTokens ?? 0
        return TokenUsage(
            inputTokens: (usage.inputTokens ?? 0) + cacheRead + cacheWrite,
            outputTokens: usage.outputTokens ?? 0,
            cacheReadTokens: cacheRead,
            cacheWriteTokens: cacheWrite
        )
    }
}
