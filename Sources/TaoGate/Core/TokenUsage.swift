/// Token counts in no API's convention: `inputTokens` is the whole prompt (cache reads and
/// writes included, as OpenAI counts it), `outputTokens` the whole answer (reasoning included).
public struct TokenUsage: Sendable, Hashable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// Prompt tokens read from the provider's cache.
    public var cacheReadTokens: Int
    /// Prompt tokens written to the provider's cache.
    public var cacheWriteTokens: Int
    /// Output tokens spent on reasoning.
    public var reasoningTokens: Int

    public init(inputTokens: Int, outputTokens: Int, cacheReadTokens: Int = 0, cacheWriteTokens: Int = 0, reasoningTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.reasoningTokens = reasoningTokens
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    /// Prompt tokens neither read from nor written to a cache.
    public var uncachedInputTokens: Int { max(0, inputTokens - cacheReadTokens - cacheWriteTokens) }
}
