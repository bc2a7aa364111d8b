/// What one model's tokens cost, per 1M tokens, in one currency.
///
/// Prompt tokens read from a cache cost `cachedInput` (else `input`), those written to it
/// `cacheWrite` (else `input`), the rest `input`; reasoning tokens cost `reasoning` when it is
/// billed apart (else `output`), the rest of the answer `output`.
public struct ModelPrice: Sendable, Equatable {
    public var currency: Currency
    public var input: Double
    public var output: Double
    public var cachedInput: Double?
    public var cacheWrite: Double?
    public var reasoning: Double?

    public init(currency: Currency, input: Double, output: Double, cachedInput: Double? = nil, cacheWrite: Double? = nil, reasoning: Double? = nil) {
        self.currency = currency
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.reasoning = reasoning
    }

    static let tokensPerPrice = 1_000_000.0

    /// The cost of the counts a provider reported.
    public func cost(of usage: TokenUsage) -> Money {
        let reasoningTokens = min(usage.reasoningTokens, usage.outputTokens)
        let perMillion =
            Double(usage.uncachedInputTokens) * input
            + Double(min(usage.cacheReadTokens, usage.inputTokens)) * (cachedInput ?? input)
            + Double(usage.cacheWriteTokens) * (cacheWrite ?? input)
            + Double(usage.outputTokens - reasoningTokens) * output
            + Double(reasoningTokens) * (reasoning ?? output)
        return Money(amount: perMillion / Self.tokensPerPrice, currency: currency)
    }

    /// The most a request can cost: its input at the dearest input price, its whole token
    /// limit at the dearest output price (what a budget reserves before the call).
    public func maximumCost(inputTokens: Int, outputTokens: Int) -> Money {
        let perMillion =
            Double(inputTokens) * max(input, cacheWrite ?? input, cachedInput ?? input)
            + Double(outputTokens) * max(output, reasoning ?? output)
        return Money(amount: perMillion / Self.tokensPerPrice, currency: currency)
    }
}
