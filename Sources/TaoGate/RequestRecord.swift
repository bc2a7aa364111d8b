import Synchronization

/// What one request did, for its log line: filled in by controllers, read once at the end.
/// Holds no message text and no keys.
public final class RequestRecord: Sendable {
    public struct Fields: Sendable {
        public var requestID = ""
        public var clientKeyID: String?
        public var model: String?
        public var provider: String?
        public var messageLength: Int?
        public var upstreamLatencyMilliseconds: Double?
        public var usage: (prompt: Int, completion: Int)?
        /// Content chunks relayed so far: the completion tokens to log when a stream ends
        /// before the upstream reported its usage.
        public var relayedChunks = 0
        public var streamed = false
        /// The client left before the answer was complete; the upstream call was cancelled.
        public var clientGone = false
        public var errorCode: String?
        public var errorDetails: String?
    }

    private let fields = Mutex(Fields())

    public init() {}

    public func update(_ body: (inout Fields) -> Void) {
        fields.withLock { body(&$0) }
    }

    public var snapshot: Fields { fields.withLock { $0 } }
}
