import LLMClient

/// OpenAI Responses → the neutral core: requests from Responses clients (Codex, the OpenAI
/// Agents SDK) for providers that speak chat completions or Anthropic's API.
enum ResponsesDecoding {
    /// The top-level members a translation carries over or the gateway itself serves; any other
    /// (such as `prompt_cache_key`, `include`) is named in the log line as dropped.
    static let understoodKeys: Set<String> = [
        "model", "input", "instructions", "tools", "tool_choice", "parallel_tool_calls", "max_output_tokens", "temperature", "top_p",
        "reasoning", "text", "store", "stream", "previous_response_id", "user",
    ]

    /// What a translation needs besides the neutral request: which tools are freeform (their
    /// calls go back as `custom_tool_call`), and the items the request adds to its conversation.
    struct Translation: Sendable {
        var request: LLMRequest
        var customTools: Set<String>
        var inputItems: [ResponsesItem]
    }

    /// The request in neutral form, after the conversation of `previous` (the items of the
    /// response it continues, from TaoGate's store). Hosted tools (`web_search`, …) are left out
    /// and named; a `tool_choice` that forces one, and items that cannot be carried, are refused.
    static func translation(of request: ResponsesRequest, previous: [ResponsesItem] = [], presentKeys: [String] = []) throws -> Translation {
        var dropped = presentKeys.filter { !understoodKeys.contains($0) }
        var customTools = Set<String>()
        var tools: [LLMTool] = []
        for tool in request.tools ?? [] {
            switch tool {
            case .function(let name, let description, let parameters, _):
                tools.append(LLMTool(name: name, description: description, parameters: parameters ?? .object(["type": .string("object")])))
            case .custom(let name, let description):
                customTools.insert(name)
                tools.append(LLMTool(name: name, description: description, parameters: customToolParameters))
            case .hosted(let type, _):
                dropped.append("tool \(type)")
            }
        }
        let inputItems = request.input?.items ?? []
        var neutral = LLMRequest(model: request.model, system: request.instructions, messages: [])
        try appendItems(previous + inputItems, customTools: customTools, to: &neutral, dropped: &dropped)
        neutral.tools = tools
        neutral.toolChoice = try request.toolChoice.map(toolChoice)
        neutral.parallelToolCalls = request.parallelToolCalls
        neutral.maxTokens = request.maxOutputTokens
        neutral.temperature = request.temperature
        neutral.topP = request.topP
        neutral.user = request.user
        neutral.reasoning = request.reasoning?.effort.map { LLMReasoning(effort: $0) }
        neutral.responseFormat = request.text?.format.flatMap(responseFormat)
        neutral.dropped = dropped
        return Translation(request: neutral, customTools: customTools, inputItems: inputItems)
    }

    /// A freeform tool is offered to other APIs as a function of one string, `input`.
    static let customToolParameters: JSONValue = .object([
        "type": .string("object"),
        "properties": .object(["input": .object(["type": .string("string"), "description": .string("The tool's whole input, as free text.")])]),
        "required": .array([.string("input")]),
    ])

    /// Items in order: system and developer messages before the first other one join the system
    /// prompt; an assistant's message, reasoning and calls make one assistant turn; each output
    /// is a `tool` message with the call's `call_id`.
    static func appendItems(_ items: [ResponsesItem], customTools: Set<String>, to request: inout LLMRequest, dropped: inout [String]) throws {
        func appendToAssistant(_ part: LLMContent) {
            if request.messages.last?.role == .assistant {
                request.messages[request.messages.count - 1].content.append(part)
            } else {
                request.messages.append(LLMMessage(role: .assistant, content: [part]))
            }
        }
        for item in items {
            switch item {
            case .message(let message):
                switch message.role {
                case "system", "developer":
                    if request.messages.isEmpty {
                        request.system = [request.system, message.text].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n\n")
                    } else {
                        request.messages.append(LLMMessage(role: .system, content: [.text(message.text)]))
                    }
                case "assistant":
                    for part in message.content {
                        switch part {
                        case .outputText(let text), .inputText(let text), .refusal(let text): appendToAssistant(.text(text))
                        default: break
                        }
                    }
                case "user":
                    request.messages.append(LLMMessage(role: .user, content: try message.content.map(userContent)))
                default:
                    throw TranslationError.unsupported("message role `\(message.role)`")
                }
            case .functionCall(let call):
                appendToAssistant(.toolCall(id: call.callID, name: call.name, arguments: call.arguments))
            case .customToolCall(let call):
                appendToAssistant(.toolCall(id: call.callID, name: call.name, arguments: JSONValue.object(["input": .string(call.input)]).jsonText))
            case .functionCallOutput(let callID, let output), .customToolCallOutput(let callID, let output):
                let content: [LLMContent]
                switch output {
                case .text(let text): content = [.text(text)]
                case .parts(let parts): content = try parts.map(userContent)
                }
                request.messages.append(
                    LLMMessage(role: .tool, content: [.toolResult(LLMToolResult(toolCallID: callID, content: content, isError: false))])
                )
            case .reasoning(let reasoning):
                // Reasoning opens the assistant turn it belongs to; it goes back where providers take it.
                let text = reasoning.text
                guard !text.isEmpty else { continue }
                if request.messages.last?.role == .assistant,
                    request.messages.last?.content.allSatisfy({ if case .reasoning = $0 { true } else { false } }) == true
                {
                    request.messages[request.messages.count - 1].content.append(.reasoning(text: text, signature: nil))
                } else {
                    request.messages.append(LLMMessage(role: .assistant, content: [.reasoning(text: text, signature: nil)]))
                }
            case .other(let type, _):
                if type.hasSuffix("_call") || type.hasSuffix("_call_output") {
                    // A hosted tool's call (web_search_call, …): a chat provider cannot replay it.
                    if !dropped.contains("item \(type)") { dropped.append("item \(type)") }
                } else {
                    throw TranslationError.unsupported("input item `\(type)`")
                }
            }
        }
    }

    static func userContent(_ part: ResponsesContentPart) throws -> LLMContent {
        switch part {
        case .inputText(let text), .outputText(let text): return .text(text)
        case .inputImage(let url?, _): return .image(LLMImage(url: url))
        case .inputImage(nil, _): throw TranslationError.unsupported("an input_image by file_id")
        case .refusal(let text): return .text(text)
        case .other(let type, _): throw TranslationError.unsupported("content part `\(type)`")
        }
    }

    static func toolChoice(_ choice: ResponsesToolChoice) throws -> LLMToolChoice {
        switch choice {
        case .mode("none"): return .none
        case .mode("required"): return .required
        case .mode: return .auto
        case .function(let name), .custom(let name): return .tool(name: name)
        case .hosted(let type): throw TranslationError.unsupported("a tool_choice that forces the hosted tool `\(type)`")
        }
    }

    /// `text.format`: flat `{"type":"json_schema","name","schema","strict"}`, or `json_object`.
    static func responseFormat(_ format: JSONValue) -> LLMResponseFormat? {
        switch format["type"]?.stringValue {
        case "json_schema":
            return .jsonSchema(
                name: format["name"]?.stringValue ?? "response",
                schema: format["schema"] ?? .object([:]),
                strict: format["strict"].flatMap { if case .bool(let strict) = $0 { strict } else { nil } }
            )
        case "json_object": return .jsonObject
        default: return nil
        }
    }
}
