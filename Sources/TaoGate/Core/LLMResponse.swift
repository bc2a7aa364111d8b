/// A whole answer in no API's dialect.
struct LLMResponse: Sendable, Hashable {
    var id: String
    var model: String
    /// Text, tool calls and reasoning, in the order the model produced them.
    var content: [LLMContent]
    var finishReason: LLMFinishReason
    /// The stop sequence that ended the answer, when the provider says which.
    var stopSequence: String?
    var usage: TokenUsage?

    /// The text parts, joined.
    var text: String { content.compactMap(\.text).joined() }
}
