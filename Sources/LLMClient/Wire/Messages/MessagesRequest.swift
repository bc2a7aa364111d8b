/// The body of Anthropic's `POST /v1/messages`, with the members a translation reads or sets.
public struct MessagesRequest: Codable, Sendable, Hashable {
    public var model: String
    public var maxTokens: Int?
    public var messages: [MessagesMessage]
    public var system: MessagesSystem?
    public var stopSequences: [String]?
    public var stream: Bool?
    public var temperature: Double?
    public var topP: Double?
    public var topK: Int?
    public var tools: [MessagesTool]?
    public var toolChoice: MessagesToolChoice?
    public var thinking: MessagesThinking?
    /// `{"effort"?: "low"|"medium"|"high"|…, "format"?: {"type":"json_schema","schema"}}`
    public var outputConfig: OutputConfig?
    public var metadata: Metadata?

    public struct OutputConfig: Codable, Sendable, Hashable {
        public var effort: String?
        public var format: JSONValue?

        public init(effort: String? = nil, format: JSONValue? = nil) {
            self.effort = effort
            self.format = format
        }
    }

    public struct Metadata: Codable, Sendable, Hashable {
        public var userID: String?

        public init(userID: String?) {
            self.userID = userID
        }

        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
        }
    }

    public init(
        model: String,
        maxTokens: Int?,
        messages: [MessagesMessage],
        system: MessagesSystem? = nil,
        stopSequences: [String]? = nil,
        stream: Bool? = nil,
        temperature: Double? = nil,
        topP: Double? = nil,
        topK: Int? = nil,
        tools: [MessagesTool]? = nil,
        toolChoice: MessagesToolChoice? = nil,
        thinking: MessagesThinking? = nil,
        outputConfig: OutputConfig? = nil,
        metadata: Metadata? = nil
    ) {
        self.model = model
        self.maxTokens = maxTokens
        self.messages = messages
        self.system = system
        self.stopSequences = stopSequences
        self.stream = stream
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.tools = tools
        self.toolChoice = toolChoice
        self.thinking = thinking
        self.outputConfig = outputConfig
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, system, stream, temperature, tools, thinking, metadata
        case maxTokens = "max_tokens"
        case stopSequences = "stop_sequences"
        case topP = "top_p"
        case topK = "top_k"
        case toolChoice = "tool_choice"
        case outputConfig = "output_config"
    }
}

/// One turn of a conversation: `user` or `assistant`, with a string or blocks.
public struct MessagesMessage: Codable, Sendable, Hashable {
    public var role: String
    public var content: [MessagesContentBlock]

    public init(role: String, content: [MessagesContentBlock]) {
        self.role = role
        self.content = content
    }

    enum CodingKeys: String, CodingKey {
        case role, content
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.role = try container.decode(String.self, forKey: .role)
        if let text = try? container.decode(String.self, forKey: .content) {
            self.content = [.text(text)]
        } else {
            self.content = try container.decode([MessagesContentBlock].self, forKey: .content)
        }
    }
}

/// The system prompt: a string, or text blocks (which may carry `cache_control`).
public enum MessagesSystem: Codable, Sendable, Hashable {
    case text(String)
    case blocks([MessagesContentBlock])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .blocks(try container.decode([MessagesContentBlock].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .blocks(let blocks): try container.encode(blocks)
        }
    }
}

/// A tool the model may call: a custom one with an input schema, or a server tool that
/// Anthropic runs itself (`type` such as `web_search_20250305`).
public struct MessagesTool: Codable, Sendable, Hashable {
    /// Nil or `custom` for a tool the client runs; anything else is a server tool.
    public var type: String?
    public var name: String
    public var description: String?
    public var inputSchema: JSONValue?

    public init(name: String, description: String? = nil, inputSchema: JSONValue?, type: String? = nil) {
        self.type = type
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
    }

    public var isServerTool: Bool { type != nil && type != "custom" }

    enum CodingKeys: String, CodingKey {
        case type, name, description
        case inputSchema = "input_schema"
    }
}

/// `{"type":"auto"|"any"|"tool"|"none","name"?,"disable_parallel_tool_use"?}`
public struct MessagesToolChoice: Codable, Sendable, Hashable {
    public var type: String
    public var name: String?
    public var disableParallelToolUse: Bool?

    public init(type: String, name: String? = nil, disableParallelToolUse: Bool? = nil) {
        self.type = type
        self.name = name
        self.disableParallelToolUse = disableParallelToolUse
    }

    enum CodingKeys: String, CodingKey {
        case type, name
        case disableParallelToolUse = "disable_parallel_tool_use"
    }
}

/// Extended thinking: `{"type":"enabled","budget_tokens":N}`, `{"type":"adaptive"}` or `{"type":"disabled"}`.
public struct MessagesThinking: Codable, Sendable, Hashable {
    public var type: String
    public var budgetTokens: Int?

    public init(type: String, budgetTokens: Int? = nil) {
        self.type = type
        self.budgetTokens = budgetTokens
    }

    enum CodingKeys: String, CodingKey {
        case type
        case budgetTokens = "budget_tokens"
    }
}
