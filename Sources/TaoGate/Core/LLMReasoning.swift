import LLMClient

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
