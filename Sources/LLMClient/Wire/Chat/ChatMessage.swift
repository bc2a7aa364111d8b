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

/// A part of a message's content: text, an image (by URL or `data:` URL), or a kind this type
/// does not model, kept as it was.
public enum ChatContentPart: Codable, Sendable, Hashable {
    case text(String)
    case imageURL(url: String, detail: String?)
    case other(JSONValue)

    private enum CodingKeys: String, CodingKey {
        case type, text
        case imageURL = "image_url"
    }

    private struct ImageURL: Codable {
        var url: String
        var detail: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decodeIfPresent(String.self, forKey: .type) {
        case "text":
            self = .text(try container.decode(String.self, forKey: .text))
        case "image_url":
            let image = try container.decode(ImageURL.self, forKey: .imageURL)
            self = .imageURL(url: image.url, detail: image.detail)
        default:
            self = .other(try JSONValue(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .text(let text):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .imageURL(let url, let detail):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("image_url", forKey: .type)
            try container.encode(ImageURL(url: url, detail: detail), forKey: .imageURL)
        case .other(let value):
            try value.encode(to: encoder)
        }
    }

    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}

/// A function call an assistant message makes: `{"id","type":"function","function":{"name","arguments"}}`.
public struct ChatToolCall: Codable, Sendable, Hashable {
    public struct Function: Codable, Sendable, Hashable {
        public var name: String
        /// The arguments as JSON text, as the model wrote them.
        public var arguments: String

        public init(name: String, arguments: String) {
            self.name = name
            self.arguments = arguments
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.name = try container.decode(String.self, forKey: .name)
            self.arguments = try container.decodeIfPresent(String.self, forKey: .arguments) ?? ""
        }
    }

    public var id: String
    public var type: String
    public var function: Function

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.type = "function"
        self.function = Function(name: name, arguments: arguments)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
        self.type = try container.decodeIfPresent(String.self, forKey: .type) ?? "function"
        self.function = try container.decode(Function.self, forKey: .function)
    }
}
