/// One `data:` event of a streamed chat completion.
public struct ChatCompletionChunk: Codable, Sendable, Hashable {
    public struct Delta: Codable, Sendable, Hashable {
        public var role: String?
        public var content: String?

        public init(role: String? = nil, content: String? = nil) {
            self.role = role
            self.content = content
        }
    }

    public struct Choice: Codable, Sendable, Hashable {
        public var index: Int
        public var delta: Delta
        public var finishReason: String?

        public init(index: Int, delta: Delta, finishReason: String? = nil) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.index = try container.decodeIfPresent(Int.self, forKey: .index) ?? 0
            self.delta = try container.decodeIfPresent(Delta.self, forKey: .delta) ?? Delta()
            self.finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
        }
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    /// Present on the last chunk when the request asked for `stream_options.include_usage`.
    public var usage: Usage?

    public init(id: String, created: Int, model: String, choices: [Choice], usage: Usage? = nil) {
        self.id = id
        self.object = "chat.completion.chunk"
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
        self.object = try container.decodeIfPresent(String.self, forKey: .object) ?? "chat.completion.chunk"
        self.created = try container.decodeIfPresent(Int.self, forKey: .created) ?? 0
        self.model = try container.decodeIfPresent(String.self, forKey: .model) ?? ""
        self.choices = try container.decodeIfPresent([Choice].self, forKey: .choices) ?? []
        self.usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
    }

    /// The text this chunk adds to the first choice, if any.
    public var contentDelta: String? { choices.first?.delta.content }
}
