/// One `data:` event of a streamed chat completion.
public struct ChatCompletionChunk: Codable, Sendable, Hashable {
    public struct Delta: Codable, Sendable, Hashable {
        public var role: String?
        public var content: String?
        /// DeepSeek-style reasoning text (`reasoning_content`, or `reasoning`).
        public var reasoningContent: String?
        public var toolCalls: [ToolCallDelta]?

        public init(role: String? = nil, content: String? = nil, reasoningContent: String? = nil, toolCalls: [ToolCallDelta]? = nil) {
            self.role = role
            self.content = content
            self.reasoningContent = reasoningContent
            self.toolCalls = toolCalls
        }

        enum CodingKeys: String, CodingKey {
            case role, content, reasoning
            case reasoningContent = "reasoning_content"
            case toolCalls = "tool_calls"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.role = try container.decodeIfPresent(String.self, forKey: .role)
            self.content = try container.decodeIfPresent(String.self, forKey: .content)
            self.reasoningContent =
                try container.decodeIfPresent(String.self, forKey: .reasoningContent)
                ?? (try? container.decodeIfPresent(String.self, forKey: .reasoning))
            self.toolCalls = try container.decodeIfPresent([ToolCallDelta].self, forKey: .toolCalls)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(role, forKey: .role)
            try container.encodeIfPresent(content, forKey: .content)
            try container.encodeIfPresent(reasoningContent, forKey: .reasoningContent)
            try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
        }
    }

    /// A piece of a tool call: the first piece of call `index` carries its id and name, the
    /// following ones further fragments of its arguments.
    public struct ToolCallDelta: Codable, Sendable, Hashable {
        public struct Function: Codable, Sendable, Hashable {
            public var name: String?
            public var arguments: String?

            public init(name: String? = nil, arguments: String? = nil) {
                self.name = name
                self.arguments = arguments
            }
        }

        public var index: Int
        public var id: String?
        public var type: String?
        public var function: Function?

        public init(index: Int, id: String? = nil, type: String? = nil, function: Function? = nil) {
            self.index = index
            self.id = id
            self.type = type
            self.function = function
        }

        enum CodingKeys: String, CodingKey {
            case index, id, type, function
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.index = try container.decodeIfPresent(Int.self, forKey: .index) ?? 0
            self.id = try container.decodeIfPresent(String.self, forKey: .id)
            self.type = try container.decodeIfPresent(String.self, forKey: .type)
            self.function = try container.decodeIfPresent(Function.self, forKey: .function)
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
