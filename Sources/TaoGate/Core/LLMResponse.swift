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

/// Why an answer ended.
enum LLMFinishReason: String, Sendable, Hashable {
    /// The model ended its turn.
    case stop
    /// The token limit was reached.
    case length
    /// The model called tools and waits for their results.
    case toolCalls
    /// A stop sequence ended it.
    case stopSequence
    /// The provider's filter or the model refused.
    case contentFilter
}

/// One step of a streamed answer in no API's dialect.
enum LLMStreamEvent: Sendable, Hashable {
    case started(id: String, model: String)
    case text(String)
    case reasoning(String)
    /// An Anthropic model's signature of the reasoning so far.
    case reasoningSignature(String)
    /// The first piece of the answer's tool call number `index` (0, 1, …).
    case toolCallStarted(index: Int, id: String, name: String)
    /// More of the arguments (JSON text) of tool call number `index`.
    case toolCallArguments(index: Int, fragment: String)
    case finished(LLMFinishReason, stopSequence: String?)
    /// The counts so far; a later one replaces an earlier one.
    case usage(TokenUsage)
}
