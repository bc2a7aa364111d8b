/// An Anthropic message: the body of a non-streaming `POST /v1/messages`, and the `message` of a
/// stream's `message_start`.
public struct MessagesResponse: Codable, Sendable, Hashable {
    public var id: String
    public var type: String
    public var role: String
    public var model: String
    public var content: [MessagesContentBlock]
    /// `end_turn`, `max_tokens`, `stop_sequence`, `tool_use`, `pause_turn`, `refusal`, …
    public var stopReason: String?
    public var stopSequence: String?
    public var usage: MessagesUsage

    public init(
        id: String,
        model: String,
        content: [MessagesContentBlock],
        stopReason: String?,
        stopSequence: String? = nil,
        usage: MessagesUsage
    ) {
        self.id = id
        self.type = "message"
        self.role = "assistant"
        self.model = model
        self.content = content
        self.stopReason = stopReason
        self.stopSequence = stopSequence
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey {
        case id, type, role, model, content, usage
        case stopReason = "stop_reason"
        case stopSequence = "stop_sequence"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
        self.type = try container.decodeIfPresent(String.self, forKey: .type) ?? "message"
        self.role = try container.decodeIfPresent(String.self, forKey: .role) ?? "assistant"
        self.model = try container.decodeIfPresent(String.self, forKey: .model) ?? ""
        self.content = try container.decodeIfPresent([MessagesContentBlock].self, forKey: .content) ?? []
        self.stopReason = try container.decodeIfPresent(String.self, forKey: .stopReason)
        self.stopSequence = try container.decodeIfPresent(String.self, forKey: .stopSequence)
        self.usage = try container.decodeIfPresent(MessagesUsage.self, forKey: .usage) ?? MessagesUsage()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(role, forKey: .role)
        try container.encode(model, forKey: .model)
        try container.encode(content, forKey: .content)
        try container.encode(stopReason, forKey: .stopReason)
        try container.encode(stopSequence, forKey: .stopSequence)
        try container.encode(usage, forKey: .usage)
    }

    /// The text of every text block, joined.
    public var text: String {
        content.compactMap { block in
            if case .text(let text) = block { return text }
            return nil
        }.joined()
    }
}
