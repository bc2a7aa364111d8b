import LLMClient

/// The deterministic answer MockUpstream derives from a request, so tests can check what a
/// gateway relays without the gateway ever being told what to say.
///
/// What agents need is simulated in every API: a request that offers tools and holds no tool
/// result yet is answered by a call of its first tool, with arguments made from that tool's
/// JSON schema; after a tool result, the answer is text that quotes it; with a JSON-schema
/// response format, the answer is a JSON value valid for that schema.
public enum MockReply {
    /// What the mock answers.
    public enum Answer: Sendable, Equatable {
        case text(String)
        case toolCall(id: String, name: String, arguments: String)
    }

    /// The answer to `prompt`, or the scripted tool call of a fault.
    public static func answer(for prompt: MockPrompt, script: MockFault.ToolCall? = nil) -> Answer {
        if prompt.toolResult == nil, !prompt.holdsToolResult {
            if let script, prompt.tools.contains(where: { $0.name == script.name }) {
                return .toolCall(id: callID(for: prompt), name: script.name, arguments: script.arguments.jsonText)
            }
            if script == nil, let tool = prompt.tools.first {
                let arguments = MockSchemaExample.value(for: tool.schema)
                return .toolCall(id: callID(for: prompt), name: tool.name, arguments: arguments.jsonText)
            }
        }
        if let schema = prompt.jsonSchema {
            return .text(MockSchemaExample.value(for: schema).jsonText)
        }
        if let result = prompt.toolResult {
            return .text("Simulated reply from \(prompt.model): the tool returned \"\(result)\" (\(prompt.messageCount) messages in context).")
        }
        return .text("Simulated reply from \(prompt.model) to \"\(prompt.lastUserText)\" (\(prompt.messageCount) messages in context).")
    }

    /// The reasoning the mock shows when asked to think.
    public static func reasoning(for prompt: MockPrompt) -> String {
        "Considering \"\(prompt.lastUserText)\" with \(prompt.tools.count) tools at hand."
    }

    /// A tool call id that differs from turn to turn of one conversation.
    static func callID(for prompt: MockPrompt) -> String {
        "call_mock_\(prompt.messageCount)_\(prompt.prefixWords + prompt.lastWords)"
    }

    /// Text split into the pieces a stream sends, one per word with its trailing space.
    public static func pieces(of text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == " " {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    // MARK: - Chat completions

    /// The full reply text for a chat request (empty when the answer is a tool call).
    public static func text(for request: ChatCompletionRequest) -> String {
        if case .text(let text) = answer(for: MockPrompt(chat: request)) { return text }
        return ""
    }

    /// The reply of a chat request split into the pieces a stream sends.
    public static func pieces(for request: ChatCompletionRequest) -> [String] {
        pieces(of: text(for: request))
    }

    /// Token counts of a chat request: words of every message in (those before the last one
    /// read from the cache), pieces out (reasoning pieces included and counted apart).
    public static func usage(for request: ChatCompletionRequest, script: MockFault.ToolCall? = nil) -> Usage {
        let prompt = MockPrompt(chat: request)
        let reasoning = prompt.wantsReasoning ? pieces(of: reasoning(for: prompt)).count : 0
        let output: Int
        switch answer(for: prompt, script: script) {
        case .text(let text): output = pieces(of: text).count
        case .toolCall(_, let name, let arguments): output = pieces(of: name + " " + arguments).count
        }
        return Usage(
            promptTokens: prompt.prefixWords + prompt.lastWords,
            completionTokens: output + reasoning,
            cachedTokens: prompt.prefixWords,
            reasoningTokens: prompt.wantsReasoning ? reasoning : nil
        )
    }

    // MARK: - Anthropic messages

    /// The full reply text for an Anthropic request (empty when the answer is a tool call).
    public static func text(for request: MessagesRequest) -> String {
        if case .text(let text) = answer(for: MockPrompt(messages: request)) { return text }
        return ""
    }

    /// Token counts of an Anthropic request, as Anthropic reports them: the words before the
    /// last message read from the cache; those of the last message written to it when the
    /// request marks anything with `cache_control`, else plain input.
    public static func usage(for request: MessagesRequest, marksCache: Bool, script: MockFault.ToolCall? = nil) -> MessagesUsage {
        let prompt = MockPrompt(messages: request)
        let reasoning = prompt.wantsReasoning ? pieces(of: reasoning(for: prompt)).count : 0
        let output: Int
        switch answer(for: prompt, script: script) {
        case .text(let text): output = pieces(of: text).count
        case .toolCall(_, let name, let arguments): output = pieces(of: name + " " + arguments).count
        }
        return MessagesUsage(
            inputTokens: marksCache ? 0 : prompt.lastWords,
            outputTokens: output + reasoning,
            cacheCreationInputTokens: marksCache ? prompt.lastWords : 0,
            cacheReadInputTokens: prompt.prefixWords
        )
    }

    // MARK: - Responses

    /// The full reply text for a Responses request (empty when the answer is a tool call).
    public static func text(for request: ResponsesRequest, previous: [ResponsesItem] = []) -> String {
        if case .text(let text) = answer(for: MockPrompt(responses: request, previous: previous)) { return text }
        return ""
    }

    /// Token counts of a Responses request: the words of its conversation in (those before the
    /// last item read from the cache), pieces out (reasoning pieces included and counted apart).
    public static func usage(for request: ResponsesRequest, previous: [ResponsesItem] = [], script: MockFault.ToolCall? = nil) -> ResponsesUsage {
        let prompt = MockPrompt(responses: request, previous: previous)
        let reasoning = prompt.wantsReasoning ? pieces(of: reasoning(for: prompt)).count : 0
        let output: Int
        switch answer(for: prompt, script: script) {
        case .text(let text): output = pieces(of: text).count
        case .toolCall(_, let name, let arguments): output = pieces(of: name + " " + arguments).count
        }
        return ResponsesUsage(
            inputTokens: prompt.prefixWords + prompt.lastWords,
            outputTokens: output + reasoning,
            cachedTokens: prompt.prefixWords,
            reasoningTokens: reasoning
        )
    }

    /// The signature the mock puts on its thinking, and checks when the thinking comes back.
    public static func signature(of thinking: String) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in thinking.utf8 {
            hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211
        }
        return "mocksig-" + String(hash, radix: 16)
    }
}
