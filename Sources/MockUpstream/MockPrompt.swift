import LLMClient

/// What MockUpstream answers from, read alike from a chat request and an Anthropic one: the last
/// user text, the tools on offer, the latest tool result, a JSON schema the answer must follow,
/// whether reasoning was asked for, and the words that count as tokens.
public struct MockPrompt: Sendable {
    public struct Tool: Sendable {
        public var name: String
        public var schema: JSONValue
    }

    public var model: String
    public var lastUserText: String
    public var messageCount: Int
    public var tools: [Tool]
    /// The text of the tool results in the last turn, when the last turn answers tool calls.
    public var toolResult: String?
    /// Whether any tool result appears anywhere in the conversation.
    public var holdsToolResult: Bool
    /// The schema of a JSON response format (`json_object` gives an empty schema).
    public var jsonSchema: JSONValue?
    public var wantsReasoning: Bool
    /// Words of everything but the last message (a provider would have cached that prefix).
    public var prefixWords: Int
    /// Words of the last message.
    public var lastWords: Int

    static func words(_ text: String) -> Int { text.split(separator: " ").count + 1 }

    public init(chat request: ChatCompletionRequest) {
        model = request.model
        lastUserText = request.messages.last(where: { $0.role == "user" })?.text ?? ""
        messageCount = request.messages.count
        tools = (request.tools ?? []).compactMap { tool in
            tool.function.map { Tool(name: $0.name, schema: $0.parameters ?? .object([:])) }
        }
        let trailingTools = request.messages.reversed().prefix { $0.role == "tool" }
        toolResult = trailingTools.isEmpty ? nil : trailingTools.reversed().map(\.text).joined(separator: "\n")
        holdsToolResult = request.messages.contains { $0.role == "tool" }
        switch request.responseFormat?["type"]?.stringValue {
        case "json_schema": jsonSchema = request.responseFormat?["json_schema"]?["schema"] ?? .object([:])
        case "json_object": jsonSchema = .object([:])
        default: jsonSchema = nil
        }
        wantsReasoning = request.reasoningEffort != nil
        let counts = request.messages.map { Self.words($0.text) }
        prefixWords = counts.dropLast().reduce(0, +)
        lastWords = counts.last ?? 0
    }

    public init(messages request: MessagesRequest) {
        model = request.model
        let userTexts = request.messages.filter { $0.role == "user" }.map { message in
            message.content.compactMap { block -> String? in
                if case .text(let text) = block { return text }
                return nil
            }.joined()
        }
        lastUserText = userTexts.last(where: { !$0.isEmpty }) ?? ""
        messageCount = request.messages.count
        tools = (request.tools ?? []).filter { !$0.isServerTool }.map { Tool(name: $0.name, schema: $0.inputSchema ?? .object([:])) }
        let lastResults = (request.messages.last?.role == "user" ? request.messages.last?.content ?? [] : []).compactMap {
            block -> String? in
            guard case .toolResult(_, let content, _) = block else { return nil }
            switch content {
            case .text(let text): return text
            case .blocks(let blocks):
                return blocks.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined(separator: "\n")
            case nil: return ""
            }
        }
        toolResult = lastResults.isEmpty ? nil : lastResults.joined(separator: "\n")
        holdsToolResult = request.messages.contains { message in
            message.content.contains { if case .toolResult = $0 { true } else { false } }
        }
        jsonSchema = request.outputConfig?.format?["schema"]
        wantsReasoning = ["enabled", "adaptive"].contains(request.thinking?.type ?? "")
        let systemWords: Int
        switch request.system {
        case .text(let text): systemWords = Self.words(text)
        case .blocks(let blocks): systemWords = blocks.reduce(0) { $0 + (Self.text(of: $1).map(Self.words) ?? 0) }
        case nil: systemWords = 0
        }
        let counts = request.messages.map { message in message.content.reduce(0) { $0 + Self.words(Self.text(of: $1) ?? "") } }
        prefixWords = systemWords + counts.dropLast().reduce(0, +)
        lastWords = counts.last ?? 0
    }

    /// A Responses request, after the items of the response it continues (`previous`).
    public init(responses request: ResponsesRequest, previous: [ResponsesItem] = []) {
        let items = previous + (request.input?.items ?? [])
        model = request.model
        let userTexts = items.compactMap { item -> String? in
            if case .message(let message) = item, message.role == "user" { return message.text }
            return nil
        }
        lastUserText = userTexts.last(where: { !$0.isEmpty }) ?? ""
        messageCount = items.count
        tools = (request.tools ?? []).compactMap { tool in
            switch tool {
            case .function(let name, _, let parameters, _): Tool(name: name, schema: parameters ?? .object([:]))
            case .custom(let name, _):
                Tool(
                    name: name,
                    schema: .object([
                        "type": .string("object"), "properties": .object(["input": .object(["type": .string("string")])]),
                        "required": .array([.string("input")]),
                    ])
                )
            case .hosted: nil
            }
        }
        let outputs = items.reversed().prefix { item in
            switch item {
            case .functionCallOutput, .customToolCallOutput: true
            default: false
            }
        }
        toolResult =
            outputs.isEmpty
            ? nil
            : outputs.reversed().compactMap { item -> String? in
                switch item {
                case .functionCallOutput(_, let output), .customToolCallOutput(_, let output): output.text
                default: nil
                }
            }.joined(separator: "\n")
        holdsToolResult = items.contains { if case .functionCallOutput = $0 { true } else if case .customToolCallOutput = $0 { true } else { false } }
        switch request.text?.format?["type"]?.stringValue {
        case "json_schema": jsonSchema = request.text?.format?["schema"] ?? .object([:])
        case "json_object": jsonSchema = .object([:])
        default: jsonSchema = nil
        }
        wantsReasoning = request.reasoning?.effort != nil
        let counts = items.map { item -> Int in
            switch item {
            case .message(let message): Self.words(message.text)
            case .functionCall(let call): Self.words(call.name + " " + call.arguments)
            case .functionCallOutput(_, let output), .customToolCallOutput(_, let output): Self.words(output.text)
            case .customToolCall(let call): Self.words(call.name + " " + call.input)
            case .reasoning(let reasoning): Self.words(reasoning.text)
            case .other: 1
            }
        }
        prefixWords = Self.words(request.instructions ?? "") - 1 + counts.dropLast().reduce(0, +)
        lastWords = counts.last ?? 0
    }

    private static func text(of block: MessagesContentBlock) -> String? {
        switch block {
        case .text(let text): text
        case .toolUse(_, let name, let input): name + " " + input.jsonText
        case .toolResult(_, .text(let text), _): text
        case .thinking(let thinking, _): thinking
        default: nil
        }
    }
}
