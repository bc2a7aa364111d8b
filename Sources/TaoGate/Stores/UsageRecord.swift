import Foundation

/// One upstream call, as the usage log keeps it.
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
    public var latencyMilliseconds: Double
    public var streamed: Bool
    public var cancelled: Bool
}
