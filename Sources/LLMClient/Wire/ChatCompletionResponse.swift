/// The body of a non-streaming chat completion. Fields a provider may leave out are optional.
public struct ChatCompletionResponse: Codable, Sendable, Hashable {
    public struct Message: Codable, Sendable, Hashable {
        public var role: String?
        /// Absent or null when the model answered with tool calls only.
        public var content: String?

        public init(role: String? = "assistant", content: String?) {
            self.role = role
            self.content = content
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
