import LLMClient

/// Chat completions → the neutral core: requests from chat clients (for providers that speak
/// only Anthropic's API), and answers and chunks from chat providers.
enum ChatDecoding {
    /// The top-level members `request(from:presentKeys:)` carries over; any other member of the
    /// body is named in the log line as dropped.
    static let understoodKeys: Set<String> = [
        "model", "messages", "temperature", "top_p", "max_tokens", "max_completion_tokens", "stop", "stream", "stream_options",
        "tools", "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort", "user",
    ]

    /// A chat request in neutral form. Throws a 400 for a part or tool kind that cannot be
    /// translated (audio, files, custom tools).
    static func request(from chat: ChatCompletionRequest, presentKeys: [String] = []) throws -> LLMRequest {
        var systemTexts: [String] = []
        var messages: [LLMMessage] = []
        for message in chat.messages {
            switch message.role {
            case "system", "developer":
                // Leading system messages are the system prompt; later ones keep their place.
                if messages.isEmpty {
                    systemTexts.append(message.text)
                } else {
                    messages.append(LLMMessage(role: .system, content: [.text(message.text)]))
                }
            case "user":
                messages.append(LLMMessage(role: .user, content: try content(of: message.content)))
            case "assistant":
                var parts: [LLMContent] = []
                if let reasoning = message.reasoningContent, !reasoning.isEmpty { parts.append(.reasoning(text: reasoning, signature: nil)) }
                let text = message.text
                if !text.isEmpty { parts.append(.text(text)) }
                for call in message.toolCalls ?? [] {
                    parts.append(.toolCall(id: call.id, name: call.function.name, arguments: call.function.arguments))
                }
                messages.append(LLMMessage(role: .assistant, content: parts))
            case "tool", "function":
                let result = LLMToolResult(toolCallID: message.toolCallID ?? "", content: [.text(message.text)], isError: false)
                messages.append(LLMMessage(role: .tool, content: [.toolResult(result)]))
            default:
                throw TranslationError.unsupported("message role `\(message.role)`")
            }
        }
        var request = LLMRequest(
            model: chat.model,
            system: systemTexts.isEmpty ? nil : systemTexts.joined(separator: "\n\n"),
            messages: messages
        )
        request.tools = try (chat.tools ?? []).map(tool(from:))
        request.toolChoice = chat.toolChoice.map(toolChoice(from:))
        request.parallelToolCalls = chat.parallelToolCalls
        request.maxTokens = chat.maxCompletionTokens ?? chat.maxTokens
        request.temperature = chat.temperature
        request.topP = chat.topP
        request.stopSequences = chat.stop ?? []
        request.user = chat.user
        request.reasoning = chat.reasoningEffort.map { LLMReasoning(effort: $0) }
        request.responseFormat = chat.responseFormat.flatMap(responseFormat(from:))
        request.dropped = presentKeys.filter { !understoodKeys.contains($0) }
        return request
    }

    /// Text and image parts; other kinds cannot be carried to another API.
    static func content(of content: ChatMessage.Content?) throws -> [LLMContent] {
        switch content {
        case nil: return []
        case .text(let text): return [.text(text)]
        case .parts(let parts):
            return try parts.map { part in
                switch part {
                case .text(let text): return .text(text)
                case .imageURL(let url, _): return .image(LLMImage(url: url))
                case .other(let value): throw TranslationError.unsupported("content part `\(value["type"]?.stringValue ?? "unknown")`")
                }
            }
        }
    }

    static func tool(from tool: ChatTool) throws -> LLMTool {
        guard tool.type == "function", let function = tool.function else { throw TranslationError.unsupported("tool type `\(tool.type)`") }
        return LLMTool(
            name: function.name,
            description: function.description,
            parameters: function.parameters ?? .object(["type": .string("object")])
        )
    }

    static func toolChoice(from choice: ChatToolChoice) -> LLMToolChoice {
        switch choice {
        case .mode("none"): .none
        case .mode("required"): .required
        case .mode: .auto
        case .function(let name): .tool(name: name)
        }
    }

    static func responseFormat(from value: JSONValue) -> LLMResponseFormat? {
        switch value["type"]?.stringValue {
        case "json_object": return .jsonObject
        case "json_schema":
            let schema = value["json_schema"]
            return .jsonSchema(
                name: schema?["name"]?.stringValue ?? "response",
                schema: schema?["schema"] ?? .object([:]),
                strict: schema?["strict"].flatMap { if case .bool(let strict) = $0 { strict } else { nil } }
            )
        case "text": return .text
        default: return nil
        }
    }

    // MARK: - Answers

    static func response(from completion: ChatCompletionResponse) -> LLMResponse {
        let choice = completion.choices.first
        var content: [LLMContent] = []
        if let reasoning = choice?.message.reasoningContent, !reasoning.isEmpty { content.append(.reasoning(text: reasoning, signature: nil)) }
        if let text = choice?.message.content, !text.isEmpty { content.append(.text(text)) }
        for call in choice?.message.toolCalls ?? [] {
            content.append(.toolCall(id: call.id, name: call.function.name, arguments: call.function.arguments))
        }
        return LLMResponse(
            id: completion.id,
            model: completion.model,
            content: content,
            finishReason: finishReason(choice?.finishReason, hasToolCalls: !(choice?.message.toolCalls ?? []).isEmpty),
            usage: completion.usage.map(usage(from:))
        )
    }

    /// `stop`, `length`, `tool_calls` (or the older `function_call`), `content_filter`.
    static func finishReason(_ reason: String?, hasToolCalls: Bool) -> LLMFinishReason {
        switch reason {
        case "length": .length
        case "tool_calls", "function_call": .toolCalls
        case "content_filter": .contentFilter
        default: hasToolCalls ? .toolCalls : .stop
        }
    }

    static func usage(from usage: Usage) -> TokenUsage {
        TokenUsage(
            inputTokens: usage.promptTokens,
            outputTokens: usage.completionTokens,
            cacheReadTokens: usage.cachedTokens ?? 0,
            cacheWriteTokens: usage.cacheWriteTokens ?? 0,
            reasoningTokens: usage.reasoningTokens ?? 0
        )
    }
}
