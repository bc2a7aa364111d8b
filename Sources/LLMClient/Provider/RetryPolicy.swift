import Foundation

/// When and how long to wait before trying an upstream call again.
///
/// Exponential backoff with jitter (`baseDelay · 2^attempt`, capped at `maxDelay`, then scaled by a
/// random factor in 0.75…1). A `Retry-After` from the upstream replaces the computed delay; one longer
/// than `maxRetryAfter` means the call is not retried at all, so the client hears about it at once.
public struct RetryPolicy: Sendable, Hashable {
    public var maxRetries: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var maxRetryAfter: Duration

    public init(
        maxRetries: Int = 2,
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(20)
    ) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before retry number `attempt + 1`, or nil when the failure should not be retried.
    public func delay(
        afterAttempt attempt: Int,
        for error: ProviderError,
        jitter: Double = Double.random(in: 0.75...1)
    ) -> Duration? {
        guard error.isRetryable, attempt < maxRetries else { return nil }
        if let retryAfter = error.retryAfter {
            return retryAfter <= maxRetryAfter ? retryAfter : nil
        }
        let exponential = baseDelay * (1 << min(attempt, 30))
        return min(exponential, maxDelay) * jitter
    }
}

extension RetryPolicy {
    /// Reads `retry-after-ms` (milliseconds) or `Retry-After` (seconds or an HTTP date).
    public static func retryAfter(
        retryAfterMilliseconds: String?,
        retryAfter: String?,
        now: Double = Date().timeIntervalSince1970
    ) -> Duration? {
        if let text = retryAfterMilliseconds?.trimmingSpaces, let ms = Double(text), ms.isFinite, ms >= 0 {
            return .milliseconds(Int64(ms.rounded(.up)))
        }
        guard let text = retryAfter?.trimmingSpaces, !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite, seconds >= 0 {
            return .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
        if let date = HTTPDate.parse(text) {
            return .milliseconds(Int64(max(0, date - now) * 1000))
        }
        return nil
    }
}

extension String {
    var trimmingSpaces: Substring {
        var slice = self[...]
        while slice.first == " " || slice.first == "\t" { slice.removeFirst() }
        while slice.last == " " || slice.last == "\t" { slice.removeLast() }
        return slice
    }
}
