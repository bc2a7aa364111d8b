import Foundation

/// One upstream call, as the usage log keeps it (no content: counts, cost, timing).
public struct UsageRecord: Sendable, Codable, Equatable {
    public var at: Date
    public var clientKey: String?
    public var provider: String?
    public var model: String?
    public var status: Int
    /// The whole prompt, cached tokens included.
    public var promptTokens: Int
    /// The whole answer, reasoning tokens included.
    public var completionTokens: Int
    /// Prompt tokens read from the provider's cache.
    public var cacheReadTokens: Int = 0
    /// Prompt tokens written to the provider's cache.
    public var cacheWriteTokens: Int = 0
    /// Completion tokens spent on reasoning.
    public var reasoningTokens: Int = 0
    /// The upstream call's time until its answer (streams: until its headers).
    public var latencyMilliseconds: Double
    public var streamed: Bool
    public var cancelled: Bool
    /// The request it was made for (the log line's `request_id`).
    public var requestID: String? = nil
    /// The whole request's time, streams until their last byte.
    public var durationMilliseconds: Double? = nil
    /// What the call cost with the prices in force when it was written; nil when its model has
    /// no price (never 0 for "unknown").
    public var cost: Double? = nil
    public var currency: Currency? = nil

    /// Tokens in and out.
    public var totalTokens: Int { promptTokens + completionTokens }
}
