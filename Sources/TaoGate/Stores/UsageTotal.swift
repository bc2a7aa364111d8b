import Foundation

/// One group's totals.
public struct UsageTotal: Sendable, Codable, Equatable {
    public var group: String
    public var requests: Int
    public var promptTokens: Int
    public var completionTokens: Int

    enum CodingKeys: String, CodingKey {
        case group, requests
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }
}
