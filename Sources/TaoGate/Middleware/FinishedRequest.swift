import Foundation
import HTTPTypes
import Hummingbird

/// What a finished request did, as the log line, usage accounting and metrics read it.
struct FinishedRequest: Sendable {
    let method: String
    /// The route pattern (never the raw path), or `unmatched`.
    let route: String
    let status: Int
    let start: ContinuousClock.Instant
    let duration: Duration
    /// `client_gone` when a stream's client left before its end.
    let outcome: String?
    let fields: RequestRecord.Fields
    /// The price of the call that answered (or failed last), when its model has one.
    var price: ModelPrice? = nil

    /// The completion tokens to count: the reported ones, or for a stream cut short about one
    /// per relayed chunk.
    var completionTokens: Int { fields.usage?.outputTokens ?? fields.relayedChunks }

    /// The counts to bill: the reported ones, with the completion estimated for a stream cut short.
    var billedUsage: TokenUsage { Self.billedUsage(of: fields) }

    static func billedUsage(of fields: RequestRecord.Fields) -> TokenUsage {
        var usage = fields.usage ?? TokenUsage(inputTokens: 0, outputTokens: 0)
        usage.outputTokens = fields.usage?.outputTokens ?? fields.relayedChunks
        return usage
    }

    /// What the request cost; nil when no upstream was called or its model has no price.
    var cost: Money? { price?.cost(of: billedUsage) }

    /// An upstream was called for a model without a price: the cost is unknown.
    var isUnpriced: Bool { !fields.upstreamCalls.isEmpty && price == nil }
}
