import LLMClient

/// The neutral core → Anthropic messages: requests for providers that speak only Anthropic's
/// API, and answers for Anthropic clients whose request went to a chat provider.
enum MessagesEncoding {
    /// Anthropic requires `max_tokens`; this is sent when the client gave none.
    static let defaultMaxTokens = 4096

    /// The Anthropic request for `request`, and the members it had to leave out (named in the
    /// log line): reasoning that no Anthropic model signed, `response_format`, and thinking when
    /// the conversation's tool-call turns carry no signed thinking (Anthropic refuses those).
    static func request(_ request: LLMRequest, model: String, stream: Bool) -> (MessagesRequest, dropped: [String]) {
        var dropped: [String] = []
        var systemTexts = request.system.map { [$0] } ?? []
        var turns: [MessagesMessage] = []
        var callsOfLastAssistant: Set<String> = []
        var toolTurnsWithoutSignedThinking = false

        func append(_ role: String, _ blocks: [MessagesContentBlock]) {
            guard !blocks.isEmpty else { return }
            // Anthropic alternates roles: consecutive turns of one role become one.
            if turns.last?.role == role {
                turns[turns.count - 1].content += blocks
            } else {
                turns.append(MessagesMessage(role: role, content: blocks))
            }
        }

        for message in request.messages {
            switch message.role {
            case .system:
                systemTexts.append(message.text)
            case .user:
                append("user", message.content.compactMap(userBlock))
            case .tool:
                for case .toolResult(let result) in message.content {
                    let id = toolUseID(result.toolCallID)
                    guard callsOfLastAssistant.contains(id) else {
                        // A result without its call (a trimmed history) can only go as text.
                        append("user", [.text("Tool result: \(result.text)")])
                        continue
                    }
                    let content = result.content.compactMap(userBlock)
                    append("user", [.toolResult(toolUseID: id, content: .blocks(content), isError: result.isError ? true : nil)])
                }
            case .assistant:
                var blocks: [MessagesContentBlock] = []
                var signedThinking = false
                for part in message.content {
                    switch part {
                    case .reasoning(let text, let signature):
                        guard let signature, !signature.isEmpty else {
                            if !dropped.contains("reasoning") { dropped.append("reasoning") }
                            continue
                        }
                        signedThinking = true
                        blocks.append(.thinking(thinking: text, signature: signature))
                    case .redactedReasoning(let data):
                        signedThinking = true
                        blocks.append(.redactedThinking(data: data))
                    case .text(let text) where !text.allSatisfy(\.isWhitespace):
                        blocks.append(.text(text))
                    case .toolCall(let id, let name, let arguments):
                        blocks.append(.toolUse(id: toolUseID(id), name: name, input: toolInput(arguments)))
                    default:
                        break
                    }
                }
                let calls = blocks.compactMap { block -> String? in
                    if case .toolUse(let id, _, _) = block { return id }
                    return nil
                }
                if !calls.isEmpty && !signedThinking { toolTurnsWithoutSignedThinking = true }
                callsOfLastAssistant = Set(calls)
                append("assistant", blocks)
            }
        }

        let maxTokens = request.maxTokens ?? defaultMaxTokens
        var thinking: MessagesThinking?
        if let reasoning = request.reasoning {
            let budget = min(reasoning.effectiveBudget, maxTokens - 1)
            if budget >= 1024 && !toolTurnsWithoutSignedThinking {
                thinking = MessagesThinking(type: "enabled", budgetTokens: budget)
            } else {
                dropped.append("thinking")
            }
        }
        var temperature = request.temperature
        if thinking != nil && temperature != nil {
            // Anthropic allows no temperature beside thinking.
            temperature = nil
            dropped.append("temperature")
        }
        if request.responseFormat != nil { dropped.append("response_format") }

        var toolChoice = request.toolChoice.map(self.toolChoice)
        if request.parallelToolCalls == false && !request.tools.isEmpty {
            toolChoice = toolChoice ?? MessagesToolChoice(type: "auto")
            toolChoice?.disableParallelToolUse = true
        }
        let messages = MessagesRequest(
            model: model,
            maxTokens: maxTokens,
            messages: turns,
            system: systemTexts.isEmpty ? nil : .text(systemTexts.joined(separator: "\n\n")),
            stopSequences: request.stopSequences.isEmpty ? nil : request.stopSequences,
            stream: stream ? true : nil,
            temperature: temperature,
            topP: request.topP,
            tools: request.tools.isEmpty
                ? nil : request.tools.map { MessagesTool(name: $0.name, description: $0.description, inputSchema: $0.parameters) },
            toolChoice: request.tools.isEmpty ? nil : toolChoice,
            thinking: thinking,
            metadata: request.user.map { MessagesRequest.Metadata(userID: $0) }
        )
        return (messages, dropped)
    }

    static func userBlock(_ part: LLMContent) -> MessagesContentBlock? {
        switch part {
        case .text(let text): return text.allSatisfy(\.isWhitespace) ? nil : .text(text)
        case .image(.url(let url)): return .image(MessagesImageSource(type: "url", url: url))
        case .image(.data(let mediaType, let base64)): return .image(MessagesImageSource(type: "base64", mediaType: mediaType, data: base64))
        default: return nil
        }
    }

    static func toolChoice(_ choice: LLMToolChoice) -> MessagesToolChoice {
        switch choice {
        case .auto: MessagesToolChoice(type: "auto")
        case .none: MessagesToolChoice(type: "none")
        case .required: MessagesToolChoice(type: "any")
        case .tool(let name): MessagesToolChoice(type: "tool", name: name)
        }
    }

    /// Anthropic wants tool ids of `[a-zA-Z0-9_-]`; others' ids (`functions.get:0`) are mapped
    /// the same way on the call and on its result.
    static func toolUseID(_ id: String) -> String {
        guard !id.isEmpty else { return "toolu_unnamed" }
        let allowed = id.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-")
        }
        if allowed { return id }
        return String(
            String.UnicodeScalarView(
                id.unicodeScalars.map { scalar in
                    scalar.isASCII && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "-") ? scalar : "_"
                }
            )
        )
    }

    /// A call's arguments as Anthropic's `input` object; arguments that are not a JSON object
    /// (a model's broken JSON, or none) become `{}`.
    static func toolInput(_ arguments: String) -> JSONValue {
        if let value = JSONValue(parsing: arguments), case .object = value { return value }
        return .object([:])
    }

    // MARK: - Answers

    static func response(_ response: LLMResponse) -> MessagesResponse {
        var blocks: [MessagesContentBlock] = []
        var hasToolCalls = false
        for part in response.content {
            switch part {
            case .reasoning(let text, let signature): blocks.append(.thinking(thinking: text, signature: signature ?? ""))
            case .redactedReasoning(let data): blocks.append(.redactedThinking(data: data))
            case .text(let text): blocks.append(.text(text))
            case .toolCall(let id, let name, let arguments):
                hasToolCalls = true
                blocks.append(.toolUse(id: toolUseID(id), name: name, input: toolInput(arguments)))
            default: break
            }
        }
        return MessagesResponse(
            id: messageID(response.id),
            model: response.model,
            content: blocks,
            stopReason: stopReason(response.finishReason, hasToolCalls: hasToolCalls),
            stopSequence: response.stopSequence,
            usage: usage(response.usage ?? TokenUsage(inputTokens: 0, outputTokens: 0))
        )
    }

    /// A turn that called tools ends with `tool_use`, whatever the provider said: otherwise an
    /// agent treats it as complete and never runs the tools.
    static func stopReason(_ reason: LLMFinishReason, hasToolCalls: Bool) -> String {
        if hasToolCalls { return "tool_use" }
        switch reason {
        case .stop: return "end_turn"
        case .length: return "max_tokens"
        case .toolCalls: return "tool_use"
        case .stopSequence: return "stop_sequence"
        case .contentFilter: return "refusal"
        }
    }

    static func usage(_ usage: TokenUsage) -> MessagesUsage {
        MessagesUsage(
            inputTokens: usage.uncachedInputTokens,
            outputTokens: usage.outputTokens,
            cacheCreationInputTokens: usage.cacheWriteTokens,
            cacheReadInputTokens: usage.cacheReadTokens
        )
    }

    /// A message id for an answer from another API (`chatcmpl-…` becomes `msg_chatcmpl-…`).
    static func messageID(_ id: String) -> String {
        id.hasPrefix("msg_") ? id : "msg_\(id.isEmpty ? RequestIdentifier.next() : id)"
    }
}
