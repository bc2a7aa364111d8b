/// The body of a non-streaming chat completion. Fields a provider may leave out are optional.
public struct ChatCompletionResponse: Codable, Sendable, Hashable {
    public struct Message: Codable, Sendable, Hashable {
        public var role: String?
        /// Absent or null when the model answered with tool calls only.
        public var content: String?
        public var toolCalls: [ChatToolCall]?
        /// DeepSeek-style reasoning (`reasoning_content`, or `reasoning`).
        public var reasoningContent: String?
        public var refusal: String?

        public init(
            role: String? = "assistant",
            content: String?,
            toolCalls: [ChatToolCall]? = nil,
            reasoningContent: String? = nil,
            refusal: String? = nil
        ) {
            self.role = role
            self.content = content
            self.toolCalls = toolCalls
            self.reasoningContent = reasoningContent
            self.refusal = refusal
        }

        enum CodingKeys: String, CodingKey {
            case role, content, refusal, reasoning
            case toolCalls = "tool_calls"
            case reasoningContent = "reasoning_content"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.role = try container.decodeIfPresent(String.self, forKey: .role)
            self.content = try container.decodeIfPresent(String.self, forKey: .content)
            self.toolCalls = try container.decodeIfPresent([ChatToolCall].self, forKey: .toolCalls)
            self.reasoningContent =
                try container.decodeIfPresent(String.self, forKey: .reasoningContent)
                ?? (try? container.decodeIfPresent(String.self, forKey: .reasoning))
            self.refusal = try? container.decodeIfPresent(String.self, forKey: .refusal)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(role, forKey: .role)
            try container.encode(content, forKey: .content)
            try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
            try container.encodeIfPresent(reasoningContent, forKey: .reasoningContent)
            try container.encodeIfPresent(refusal, forKey: .refusal)
        }
    }

    public struct Choice: Codable, Sendable, Hashable {
        public var index: Int
        public var message: Message
        public var finishReason: String?

        public init(index: Int, message: Message, finishReason: String?) {
            self.index = index
            self.message = message
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.index = try container.decodeIfPresent(Int.self, forKey: .index) ?? 0
            self.message = try container.decode(Message.self, forKey: .message)
            self.finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
        }
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage?

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage?) {
        self.id = id
        self.object = "chat.completion"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
        self.object = try container.decodeIfPresent(String.self, forKey: .object) ?? "chat.completion"
        self.created = try container.decodeIfPresent(Int.self, forKey: .created) ?? 0
        self.model = try container.decodeIfPresent(String.self, forKey: .model) ?? ""
        self.choices = try container.decode([Choice].self, forKey: .choices)
        self.usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
    }

    /// The text of the first choice, or "" when the model gave none.
    public var text: String { choices.first?.message.content ?? "" }
}
