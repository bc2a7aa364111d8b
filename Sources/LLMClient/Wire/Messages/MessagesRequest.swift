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
