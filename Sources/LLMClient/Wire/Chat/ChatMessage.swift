/// One message of a chat conversation, as OpenAI's chat completions API sends and receives it:
/// text or content parts, an assistant's tool calls, a tool's answer, and the reasoning that
/// DeepSeek-style providers return beside the content (`reasoning_content`).
public struct ChatMessage: Codable, Sendable, Hashable {
    /// A message's content: plain text, or parts (text and images).
    public enum Content: Codable, Sendable, Hashable {
        case text(String)
        case parts([ChatContentPart])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .parts(try container.decode([ChatContentPart].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .parts(let parts): try container.encode(parts)
            }
        }

        /// The text of every text part, joined.
        public var text: String {
            switch self {
            case .text(let text): text
            case .parts(let parts): parts.compactMap(\.text).joined()
            }
        }
    }

    /// `system`, `developer`, `user`, `assistant` or `tool`.
    public var role: String
    /// Absent or null on an assistant message that only calls tools.
    public var content: Content?
    public var name: String?
    /// The calls an assistant message makes.
    public var toolCalls: [ChatToolCall]?
    /// On a `tool` message: the call it answers.
    public var toolCallID: String?
    /// The reasoning DeepSeek, Qwen and GLM return beside the content, and want back on
    /// tool-call turns (`reasoning_content`; `reasoning` is read too).
    public var reasoningContent: String?

    public init(
        role: String,
        content: Content?,
        name: String? = nil,
        toolCalls: [ChatToolCall]? = nil,
        toolCallID: String? = nil,
        reasoningContent: String? = nil
    ) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.reasoningContent = reasoningContent
    }

    public init(role: String, content: String) {
        self.init(role: role, content: .text(content))
    }

    public static func system(_ content: String) -> ChatMessage { .init(role: "system", content: content) }
    public static func user(_ content: String) -> ChatMessage { .init(role: "user", content: content) }
    public static func assistant(_ content: String) -> ChatMessage { .init(role: "assistant", content: content) }

    /// The message's text ("" when it has none).
    public var text: String { content?.text ?? "" }

    enum CodingKeys: String, CodingKey {
        case role, content, name
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
        case reasoningContent = "reasoning_content"
        case reasoning
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.role = try container.decode(String.self, forKey: .role)
        self.content = try container.decodeIfPresent(Content.self, forKey: .content)
        self.name = try container.decodeIfPresent(String.self, forKey: .name)
        self.toolCalls = try container.decodeIfPresent([ChatToolCall].self, forKey: .toolCalls)
        self.toolCallID = try container.decodeIfPresent(String.self, forKey: .toolCallID)
        self.reasoningContent =
            try container.decodeIfPresent(String.self, forKey: .reasoningContent)
            ?? (try? container.decodeIfPresent(String.self, forKey: .reasoning))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        // An assistant message with tool calls may have no content; other messages always do.
        if let content {
            try container.encode(content, forKey: .content)
        } else if toolCalls == nil {
            try container.encode("", forKey: .content)
        } else {
            try container.encodeNil(forKey: .content)
        }
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
        try container.encodeIfPresent(toolCallID, forKey: .toolCallID)
        try container.encodeIfPresent(reasoningContent, forKey: .reasoningContent)
    }
}
