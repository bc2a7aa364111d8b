import Synchronization

/// What one request did, for its log line, usage rows and metrics: filled in by the dialect
/// controllers and the model router (which is handed it), read once when the request ends.
/// Holds no message text and no keys.
public final class RequestRecord: Sendable {
    /// One call to an upstream provider: the answer's status, or 502/504/499 when none came.
    public struct UpstreamCall: Sendable, Equatable {
        public var provider: String
        public var model: String
        public var status: Int
        public var latencyMilliseconds: Double
    }

    public struct Fields: Sendable {
        public var requestID = ""
        public var clientKeyID: String?
        public var model: String?
        public var messageLength: Int?
        public var upstreamLatencyMilliseconds: Double?
        public var usage: TokenUsage?
        /// Content chunks relayed so far: the completion tokens to log when a stream ends
        /// before the upstream reported its usage.
        public var relayedChunks = 0
        /// When the first content went to the client (streams), for time to first token.
        public var firstContentAt: ContinuousClock.Instant?
        public var streamed = false
        /// The client left before the answer was complete; the upstream call was cancelled.
        public var clientGone = false
        public var errorCode: String?
        public var errorDetails: String?
        /// The upstream's own error type and code, when a provider's refusal ended the request.
        public var upstreamErrorType: String?
        public var upstreamErrorCode: String?
        /// Every upstream call, in order; the last one is the one that answered (or failed last).
        public var upstreamCalls: [UpstreamCall] = []
        /// The provider API the request was translated to, when it did not go native.
        public var translatedTo: String?
        /// Members of the client's request that the translation left out.
        public var droppedFields: [String] = []
        /// The key's admission, settled when the request ends.
        var admission: KeyAdmission.Ticket?
    }

    private let fields = Mutex(Fields())

    public init() {}

    public func update(_ body: (inout Fields) -> Void) {
        fields.withLock { body(&$0) }
    }

    public var snapshot: Fields { fields.withLock { $0 } }

    /// One more piece of content went to the client (the first one also marks the first token).
    func noteRelayedChunk() {
        noteRelayedChunks(1)
    }

    /// `count` more pieces of content went to the client, in one write: a relay notes what it
    /// gathered from one upstream read once, not once per event.
    func noteRelayedChunks(_ count: Int) {
        guard count > 0 else { return }
        fields.withLock {
            $0.relayedChunks += count
            if $0.firstContentAt == nil { $0.firstContentAt = .now }
        }
    }

    /// The counts the provider reported.
    func noteUsage(_ usage: TokenUsage) {
        fields.withLock { $0.usage = usage }
    }
}
