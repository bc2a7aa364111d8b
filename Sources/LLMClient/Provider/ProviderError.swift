/// Why a call to an upstream provider failed, in terms a gateway maps to a status and a retry decision.
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// No answer in time: the first byte, the whole non-streaming body, or the gap between chunks.
        case timeout
        /// The upstream could not be reached, or the connection broke.
        case unreachable
        /// The upstream answered with a non-2xx status.
        case status
        /// The upstream answered 2xx with a body that is not what the API promises.
        case invalidResponse
    }

    public let kind: Kind
    /// The upstream's HTTP status, for `.status`.
    public let status: Int?
    /// How long the upstream asked us to wait (Retry-After or retry-after-ms).
    public let retryAfter: Duration?
    /// The upstream's own message, with the API key removed. It may quote the prompt: a gateway
    /// shows it only in development.
    public let upstreamMessage: String?
    /// The upstream's error type (`invalid_request_error`, `overloaded_error`, …), when it gave one.
    public let upstreamType: String?
    /// The upstream's error code (`context_length_exceeded`, …), when it gave one.
    public let upstreamCode: String?

    public init(
        kind: Kind,
        status: Int? = nil,
        retryAfter: Duration? = nil,
        upstreamMessage: String? = nil,
        upstreamType: String? = nil,
        upstreamCode: String? = nil
    ) {
        self.kind = kind
        self.status = status
        self.retryAfter = retryAfter
        self.upstreamMessage = upstreamMessage
        self.upstreamType = upstreamType
        self.upstreamCode = upstreamCode
    }

    public static func timeout(_ message: String) -> ProviderError { .init(kind: .timeout, upstreamMessage: message) }
    public static func unreachable(_ message: String) -> ProviderError { .init(kind: .unreachable, upstreamMessage: message) }
    public static func invalidResponse(_ message: String) -> ProviderError {
        .init(kind: .invalidResponse, upstreamMessage: message)
    }

    /// Connect errors, timeouts, 408, 429 and 5xx are worth another try; other answers are final.
    public var isRetryable: Bool {
        switch kind {
        case .timeout, .unreachable: true
        case .status: status.map { $0 == 408 || $0 == 429 || $0 >= 500 } ?? false
        case .invalidResponse: false
        }
    }

    /// A short, bounded label (for logs and metrics): `timeout`, `unreachable`, `status_503`, …
    public var shortDescription: String {
        if kind == .status, let status { return "status_\(status)" }
        return kind.rawValue
    }

    /// The kind, status and the upstream's error type and code; never its message, which may
    /// quote the prompt (this is what logs and spans show of the error).
    public var description: String {
        var parts = [shortDescription]
        if let upstreamType { parts.append("type \(upstreamType)") }
        if let upstreamCode { parts.append("code \(upstreamCode)") }
        return "ProviderError(\(parts.joined(separator: ", ")))"
    }
}
