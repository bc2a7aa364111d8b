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
