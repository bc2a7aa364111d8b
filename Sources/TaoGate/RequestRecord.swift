import Synchronization

/// What one request did, for its log line and usage rows: filled in by controllers and the model
/// router, read once at the end. Holds no message text and no keys.
public final class RequestRecord: Sendable {
    /// The record of the request the current task serves, for code below the controllers (the
    /// model router notes each upstream call in it).
    @TaskLocal static var current: RequestRecord?

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
        public var usage: (prompt: Int, completion: Int)?
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
        /// Every upstream call, in order; the last one is the one that answered (or failed last).
        public var upstreamCalls: [UpstreamCall] = []
    }

    private let fields = Mutex(Fields())

    public init() {}

    public func update(_ body: (inout Fields) -> Void) {
        fields.withLock { body(&$0) }
    }

    public var snapshot: Fields { fields.withLock { $0 } }

    /// One more piece of content went to the client (the first one also marks the first token).
    func noteRelayedChunk() {
        fields.withLock {
            $0.relayedChunks += 1
            if $0.firstContentAt == nil { $0.firstContentAt = .now }
        }
    }
}
