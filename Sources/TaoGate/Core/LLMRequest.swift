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
