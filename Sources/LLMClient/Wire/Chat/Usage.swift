/// Token counts an OpenAI-compatible provider reports for one completion.
///
/// `promptTokens` includes the cached ones, and `completionTokens` the reasoning ones, as OpenAI
/// counts them; the details say how many of each there were.
public struct Usage: Codable, Sendable, Hashable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    /// Prompt tokens read from the provider's cache (`prompt_tokens_details.cached_tokens`;
    /// DeepSeek's `prompt_cache_hit_tokens` is read too).
    public var cachedTokens: Int?
    /// Prompt tokens written to the provider's cache, where it reports them
    /// (`prompt_tokens_details.cache_write_tokens` or `cache_creation_tokens`).
    public var cacheWriteTokens: Int?
    /// Completion tokens spent on reasoning (`completion_tokens_details.reasoning_tokens`).
    public var reasoningTokens: Int?

    public init(
        promptTokens: Int,
        completionTokens: Int,
        totalTokens: Int? = nil,
        cachedTokens: Int? = nil,
        cacheWriteTokens: Int? = nil,
        reasoningTokens: Int? = nil
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens ?? promptTokens + completionTokens
        self.cachedTokens = cachedTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.reasoningTokens = reasoningTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
        case completionTokensDetails = "completion_tokens_details"
        case promptCacheHitTokens = "prompt_cache_hit_tokens"
    }

    private struct PromptDetails: Codable {
        var cached_tokens: Int?
        var cache_write_tokens: Int?
        var cache_creation_tokens: Int?
    }

    private struct CompletionDetails: Codable {
        var reasoning_tokens: Int?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.promptTokens = try container.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        self.completionTokens = try container.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
        self.totalTokens =
            try container.decodeIfPresent(Int.self, forKey: .totalTokens) ?? self.promptTokens + self.completionTokens
        let prompt = try? container.decodeIfPresent(PromptDetails.self, forKey: .promptTokensDetails)
        let completion = try? container.decodeIfPresent(CompletionDetails.self, forKey: .completionTokensDetails)
        self.cachedTokens = prompt?.cached_tokens ?? (try? container.decodeIfPresent(Int.self, forKey: .promptCacheHitTokens))
        self.cacheWriteTokens = prompt?.cache_write_tokens ?? prompt?.cache_creation_tokens
        self.reasoningTokens = completion?.reasoning_tokens
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(totalTokens, forKey: .totalTokens)
        if cachedTokens != nil || cacheWriteTokens != nil {
            try container.encode(PromptDetails(cached_tokens: cachedTokens, cache_write_tokens: cacheWriteTokens), forKey: .promptTokensDetails)
        }
        if let reasoningTokens {
            try container.encode(CompletionDetails(reasoning_tokens: reasoningTokens), forKey: .completionTokensDetails)
        }
    }
}
