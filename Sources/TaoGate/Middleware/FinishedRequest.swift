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
    /// `error` (thrown past every middleware) or `client_gone` (a stream's client left).
    let outcome: String?
    let fields: RequestRecord.Fields

    /// The completion tokens to count: the reported ones, or for a stream cut short about one
    /// per relayed chunk.
    var completionTokens: Int { fields.usage?.outputTokens ?? fields.relayedChunks }
}
