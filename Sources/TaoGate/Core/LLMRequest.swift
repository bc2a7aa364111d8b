import LLMClient

/// A model request in no API's dialect: what every inbound dialect decodes to, and what every
/// translating provider encodes from (Bifrost's split). Native requests never pass through it.
struct LLMRequest: Sendable {
    var model: String
    /// The system prompt (Anthropic's `system`, chat's leading system messages, `instructions`).
    var system: String?
    var messages: [LLMMessage]
    var tools: [LLMTool] = []
    var toolChoice: LLMToolChoice?
    var parallelToolCalls: Bool?
    var maxTokens: Int?
    var temperature: Double?
    var topP: Double?
    var stopSequences: [String] = []
    /// An id of the end user, for the provider's abuse checks.
    var user: String?
    /// Extended thinking or reasoning, when asked for.
    var reasoning: LLMReasoning?
    var responseFormat: LLMResponseFormat?
    /// Members of the client's request that have no equivalent and were left out, for the log line.
    var dropped: [String] = []
}

/// One message: a role and its parts. Tool results travel as `tool` messages, one per call.
struct LLMMessage: Sendable, Hashable {
    enum Role: String, Sendable, Hashable {
        case system, user, assistant, tool
    }

    var role: Role
    var content: [LLMContent]

    /// The text parts, joined.
    var text: String { content.compactMap(\.text).joined() }
}

/// A function the model may call.
struct LLMTool: Sendable, Hashable {
    var name: String
    var description: String?
    /// A JSON schema of the arguments.
    var parameters: JSONValue
}

enum LLMToolChoice: Sendable, Hashable {
    case auto
    case none
    /// Some tool must be called.
    case required
    case tool(name: String)
}

/// Extended thinking (Anthropic's budget) or reasoning effort (OpenAI's, DeepSeek's).
struct LLMReasoning: Sendable, Hashable {
    /// `minimal`, `low`, `medium` or `high`.
    var effort: String?
    var budgetTokens: Int?

    /// The effort for a thinking budget: below 4k tokens low, below 16k medium, else high.
    var effectiveEffort: String {
        if let effort { return effort }
        guard let budgetTokens else { return "medium" }
        return budgetTokens < 4096 ? "low" : budgetTokens < 16384 ? "medium" : "high"
    }

    /// The thinking budget for an effort: low 2,048, medium 8,192, high 24,576 tokens.
    var effectiveBudget: Int {
        if let budgetTokens { return budgetTokens }
        switch effort {
        case "minimal", "low": return 2048
        case "high": return 24_576
        default: return 8192
        }
    }
}

enum LLMResponseFormat: Sendable, Hashable {
    case text
    case jsonObject
    case jsonSchema(name: String, schema: JSONValue, strict: Bool?)
}
