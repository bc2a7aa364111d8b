/// The body of OpenAI's `POST /v1/responses`, with the members a translation reads or sets.
public struct ResponsesRequest: Codable, Sendable, Hashable {
    /// `reasoning`: `{"effort","summary"}`.
    public struct Reasoning: Codable, Sendable, Hashable {
        public var effort: String?
        public var summary: String?

        public init(effort: String? = nil, summary: String? = nil) {
            self.effort = effort
            self.summary = summary
        }
    }

    /// `text`: `{"format":{"type":"text"|"json_object"|"json_schema","name","schema","strict"},"verbosity"}`.
    public struct TextConfig: Codable, Sendable, Hashable {
        public var format: JSONValue?
        public var verbosity: String?

        public init(format: JSONValue? = nil, verbosity: String? = nil) {
            self.format = format
            self.verbosity = verbosity
        }
    }

    public var model: String
    public var input: ResponsesInput?
    public var instructions: String?
    public var tools: [ResponsesTool]?
    public var toolChoice: ResponsesToolChoice?
    public var parallelToolCalls: Bool?
    public var maxOutputTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var reasoning: Reasoning?
    public var text: TextConfig?
    /// Whether the response is kept for `previous_response_id` and `GET /responses/{id}` (default true).
    public var store: Bool?
    public var stream: Bool?
    public var previousResponseID: String?
    public var user: String?

    public init(
        model: String,
        input: ResponsesInput?,
        instructions: String? = nil,
        tools: [ResponsesTool]? = nil,
        toolChoice: ResponsesToolChoice? = nil,
        parallelToolCalls: Bool? = nil,
        maxOutputTokens: Int? = nil,
        temperature: Double? = nil,
        topP: Double? = nil,
        reasoning: Reasoning? = nil,
        text: TextConfig? = nil,
        store: Bool? = nil,
        stream: Bool? = nil,
        previousResponseID: String? = nil,
        user: String? = nil
    ) {
        self.model = model
        self.input = input
        self.instructions = instructions
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.maxOutputTokens = maxOutputTokens
        self.temperature = temperature
        self.topP = topP
        self.reasoning = reasoning
        self.text = text
        self.store = store
        self.stream = stream
        self.previousResponseID = previousResponseID
        self.user = user
    }

    enum CodingKeys: String, CodingKey {
        case model, input, instructions, tools, temperature, reasoning, text, store, stream, user
        case toolChoice = "tool_choice"
        case parallelToolCalls = "parallel_tool_calls"
        case maxOutputTokens = "max_output_tokens"
        case topP = "top_p"
        case previousResponseID = "previous_response_id"
    }
}

/// `input`: a string (one user message), or items.
public enum ResponsesInput: Codable, Sendable, Hashable {
    case text(String)
    case items([ResponsesItem])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .items(try container.decode([ResponsesItem].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .items(let items): try container.encode(items)
        }
    }

    /// The input as items (a string is one user message).
    public var items: [ResponsesItem] {
        switch self {
        case .text(let text): [.message(ResponsesMessage(role: "user", content: [.inputText(text)]))]
        case .items(let items): items
        }
    }
}
