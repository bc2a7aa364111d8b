/// The body of `POST /chat/completions`, with the members TaoGate reads when it translates a
/// request and sets when it builds one.
public struct ChatCompletionRequest: Codable, Sendable, Hashable {
    /// Asks a streaming provider to end the stream with one chunk that carries the usage.
    public struct StreamOptions: Codable, Sendable, Hashable {
        public var includeUsage: Bool

        public init(includeUsage: Bool) {
            self.includeUsage = includeUsage
        }

        enum CodingKeys: String, CodingKey {
            case includeUsage = "include_usage"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.includeUsage = try container.decodeIfPresent(Bool.self, forKey: .includeUsage) ?? false
        }
    }

    public var model: String
    public var messages: [ChatMessage]
    public var temperature: Double?
    public var topP: Double?
    public var maxTokens: Int?
    /// The newer name of `max_tokens` (OpenAI's reasoning models accept only this one).
    public var maxCompletionTokens: Int?
    public var stop: [String]?
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var tools: [ChatTool]?
    public var toolChoice: ChatToolChoice?
    public var parallelToolCalls: Bool?
    /// `{"type":"json_object"}` or `{"type":"json_schema","json_schema":{"name","schema","strict"}}`.
    public var responseFormat: JSONValue?
    /// `minimal`, `low`, `medium` or `high`.
    public var reasoningEffort: String?
    public var user: String?

    public init(
        model: String,
        messages: [ChatMessage],
        temperature: Double? = nil,
        topP: Double? = nil,
        maxTokens: Int? = nil,
        maxCompletionTokens: Int? = nil,
        stop: [String]? = nil,
        stream: Bool? = nil,
        streamOptions: StreamOptions? = nil,
        tools: [ChatTool]? = nil,
        toolChoice: ChatToolChoice? = nil,
        parallelToolCalls: Bool? = nil,
        responseFormat: JSONValue? = nil,
        reasoningEffort: String? = nil,
        user: String? = nil
    ) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.maxCompletionTokens = maxCompletionTokens
        self.stop = stop
        self.stream = stream
        self.streamOptions = streamOptions
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.responseFormat = responseFormat
        self.reasoningEffort = reasoningEffort
        self.user = user
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature, stop, stream, tools, user
        case topP = "top_p"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case streamOptions = "stream_options"
        case toolChoice = "tool_choice"
        case parallelToolCalls = "parallel_tool_calls"
        case responseFormat = "response_format"
        case reasoningEffort = "reasoning_effort"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.model = try container.decode(String.self, forKey: .model)
        self.messages = try container.decode([ChatMessage].self, forKey: .messages)
        self.temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        self.topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        self.maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens)
        self.maxCompletionTokens = try container.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
        // `stop` is a string or a list of strings.
        if let one = try? container.decodeIfPresent(String.self, forKey: .stop) {
            self.stop = [one]
        } else {
            self.stop = try container.decodeIfPresent([String].self, forKey: .stop)
        }
        self.stream = try container.decodeIfPresent(Bool.self, forKey: .stream)
        self.streamOptions = try container.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        self.tools = try container.decodeIfPresent([ChatTool].self, forKey: .tools)
        self.toolChoice = try container.decodeIfPresent(ChatToolChoice.self, forKey: .toolChoice)
        self.parallelToolCalls = try container.decodeIfPresent(Bool.self, forKey: .parallelToolCalls)
        self.responseFormat = try container.decodeIfPresent(JSONValue.self, forKey: .responseFormat)
        self.reasoningEffort = try container.decodeIfPresent(String.self, forKey: .reasoningEffort)
        self.user = try container.decodeIfPresent(String.self, forKey: .user)
    }
}
