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
