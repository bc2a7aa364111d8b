/// A Responses API response object: the body of a non-streaming `POST /responses`, of
/// `GET /responses/{id}`, and the `response` of `response.created` / `.completed` events.
public struct ResponsesResponse: Codable, Sendable, Hashable {
    public var id: String
    public var object: String
    public var createdAt: Int
    /// `completed`, `incomplete`, `failed` or `in_progress`.
    public var status: String
    public var model: String
    public var output: [ResponsesItem]
    public var usage: ResponsesUsage?
    /// `{"reason":"max_output_tokens"|"content_filter"}` for an incomplete response.
    public var incompleteDetails: JSONValue?
    /// `{"code","message"}` for a failed response.
    public var error: JSONValue?
    public var instructions: String?
    public var previousResponseID: String?
    public var parallelToolCalls: Bool
    public var toolChoice: JSONValue
    public var tools: [JSONValue]
    public var store: Bool
    public var temperature: Double?
    public var topP: Double?
    public var metadata: [String: String]

    public init(
        id: String,
        createdAt: Int,
        status: String,
        model: String,
        output: [ResponsesItem],
        usage: ResponsesUsage?,
        incompleteDetails: JSONValue? = nil,
        error: JSONValue? = nil,
        instructions: String? = nil,
        previousResponseID: String? = nil,
        parallelToolCalls: Bool = true,
        toolChoice: JSONValue = .string("auto"),
        tools: [JSONValue] = [],
        store: Bool = true,
        temperature: Double? = nil,
        topP: Double? = nil
    ) {
        self.id = id
        self.object = "response"
        self.createdAt = createdAt
        self.status = status
        self.model = model
        self.output = output
        self.usage = usage
        self.incompleteDetails = incompleteDetails
        self.error = error
        self.instructions = instructions
        self.previousResponseID = previousResponseID
        self.parallelToolCalls = parallelToolCalls
        self.toolChoice = toolChoice
        self.tools = tools
        self.store = store
        self.temperature = temperature
        self.topP = topP
        self.metadata = [:]
    }

    enum CodingKeys: String, CodingKey {
        case id, object, status, model, output, usage, error, instructions, tools, store, temperature, metadata
        case createdAt = "created_at"
        case incompleteDetails = "incomplete_details"
        case previousResponseID = "previous_response_id"
        case parallelToolCalls = "parallel_tool_calls"
        case toolChoice = "tool_choice"
        case topP = "top_p"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(String.self, forKey: .id)
        self.object = try container.decodeIfPresent(String.self, forKey: .object) ?? "response"
        self.createdAt = try container.decodeIfPresent(Int.self, forKey: .createdAt) ?? 0
        self.status = try container.decodeIfPresent(String.self, forKey: .status) ?? "completed"
        self.model = try container.decodeIfPresent(String.self, forKey: .model) ?? ""
        self.output = try container.decodeIfPresent([ResponsesItem].self, forKey: .output) ?? []
        self.usage = try container.decodeIfPresent(ResponsesUsage.self, forKey: .usage)
        self.incompleteDetails = try container.decodeIfPresent(JSONValue.self, forKey: .incompleteDetails)
        self.error = try container.decodeIfPresent(JSONValue.self, forKey: .error)
        self.instructions = try? container.decodeIfPresent(String.self, forKey: .instructions)
        self.previousResponseID = try container.decodeIfPresent(String.self, forKey: .previousResponseID)
        self.parallelToolCalls = try container.decodeIfPresent(Bool.self, forKey: .parallelToolCalls) ?? true
        self.toolChoice = try container.decodeIfPresent(JSONValue.self, forKey: .toolChoice) ?? .string("auto")
        self.tools = try container.decodeIfPresent([JSONValue].self, forKey: .tools) ?? []
        self.store = try container.decodeIfPresent(Bool.self, forKey: .store) ?? true
        self.temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        self.topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        self.metadata = (try? container.decodeIfPresent([String: String].self, forKey: .metadata)) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(status, forKey: .status)
        try container.encode(model, forKey: .model)
        try container.encode(output, forKey: .output)
        try container.encode(usage, forKey: .usage)
        try container.encode(incompleteDetails, forKey: .incompleteDetails)
        try container.encode(error, forKey: .error)
        try container.encode(instructions, forKey: .instructions)
        try container.encode(previousResponseID, forKey: .previousResponseID)
        try container.encode(parallelToolCalls, forKey: .parallelToolCalls)
        try container.encode(toolChoice, forKey: .toolChoice)
        try container.encode(tools, forKey: .tools)
        try container.encode(store, forKey: .store)
        try container.encode(temperature, forKey: .temperature)
        try container.encode(topP, forKey: .topP)
        try container.encode(metadata, forKey: .metadata)
    }

    /// The text of its message items, joined.
    public var outputText: String {
        output.compactMap { item in
            if case .message(let message) = item { return message.text }
            return nil
        }.joined()
    }
}

/// The Responses API's token counts: `input_tokens` (cached ones included, and counted in
/// `input_tokens_details.cached_tokens`), `output_tokens` (reasoning included), `total_tokens`.
public struct ResponsesUsage: Codable, Sendable, Hashable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var totalTokens: Int
    public var cachedTokens: Int
    public var reasoningTokens: Int

    public init(inputTokens: Int, outputTokens: Int, cachedTokens: Int = 0, reasoningTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.totalTokens = inputTokens + outputTokens
        self.cachedTokens = cachedTokens
        self.reasoningTokens = reasoningTokens
    }

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case totalTokens = "total_tokens"
        case inputTokensDetails = "input_tokens_details"
        case outputTokensDetails = "output_tokens_details"
    }

    private struct InputDetails: Codable {
        var cached_tokens: Int?
    }

    private struct OutputDetails: Codable {
        var reasoning_tokens: Int?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.inputTokens = try container.decodeIfPresent(Int.self, forKey: .inputTokens) ?? 0
        self.outputTokens = try container.decodeIfPresent(Int.self, forKey: .outputTokens) ?? 0
        self.totalTokens = try container.decodeIfPresent(Int.self, forKey: .totalTokens) ?? inputTokens + outputTokens
        self.cachedTokens = (try? container.decodeIfPresent(InputDetails.self, forKey: .inputTokensDetails))??.cached_tokens ?? 0
        self.reasoningTokens = (try? container.decodeIfPresent(OutputDetails.self, forKey: .outputTokensDetails))??.reasoning_tokens ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(inputTokens, forKey: .inputTokens)
        try container.encode(InputDetails(cached_tokens: cachedTokens), forKey: .inputTokensDetails)
        try container.encode(outputTokens, forKey: .outputTokens)
        try container.encode(OutputDetails(reasoning_tokens: reasoningTokens), forKey: .outputTokensDetails)
        try container.encode(totalTokens, forKey: .totalTokens)
    }
}
