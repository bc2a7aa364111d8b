import Logging

/// The one log line per request: request id, method, route, status, duration, and what the
/// request did (model, message length, provider, upstream latency, tokens, cost, translation). Never
/// message text, never keys.
///
/// `error_details` (which may quote an upstream's error message, and through it the prompt) is
/// written only in development; the upstream's error type and code always are.
struct RequestLog: Sendable {
    let logger: Logger
    var includesErrorDetails = false

    func write(_ request: FinishedRequest) {
        let fields = request.fields
        // Room for every field at once: grown one insert at a time, the table would be rebuilt four times.
        var metadata = Logger.Metadata(minimumCapacity: 24)
        metadata["request_id"] = .string(fields.requestID)
        metadata["method"] = .string(request.method)
        metadata["route"] = .string(request.route)
        metadata["status"] = .stringConvertible(request.status)
        metadata["duration_ms"] = .stringConvertible(request.duration.milliseconds)
        if let client = fields.clientKeyID { metadata["client_key"] = .string(client) }
        if let model = fields.model { metadata["model"] = .string(model) }
        if let last = fields.upstreamCalls.last { metadata["provider"] = .string(last.provider) }
        if fields.upstreamCalls.count > 1 { metadata["upstream_calls"] = .stringConvertible(fields.upstreamCalls.count) }
        if let length = fields.messageLength { metadata["message_length"] = .stringConvertible(length) }
        if let latency = fields.upstreamLatencyMilliseconds { metadata["upstream_latency_ms"] = .stringConvertible(latency) }
        if let usage = fields.usage {
            metadata["prompt_tokens"] = .stringConvertible(usage.inputTokens)
            metadata["completion_tokens"] = .stringConvertible(usage.outputTokens)
            if usage.cacheReadTokens > 0 { metadata["cache_read_tokens"] = .stringConvertible(usage.cacheReadTokens) }
            if usage.cacheWriteTokens > 0 { metadata["cache_write_tokens"] = .stringConvertible(usage.cacheWriteTokens) }
            if usage.reasoningTokens > 0 { metadata["reasoning_tokens"] = .stringConvertible(usage.reasoningTokens) }
        } else if fields.relayedChunks > 0 {
            // The stream ended early: about one token per chunk is the best count there is.
            metadata["completion_tokens"] = .stringConvertible(fields.relayedChunks)
            metadata["usage_estimated"] = .stringConvertible(true)
        }
        if let cost = request.cost {
            metadata["cost"] = .stringConvertible(Money.shown(cost.amount))
            metadata["currency"] = .string(cost.currency.rawValue)
        } else if request.isUnpriced {
            metadata["cost"] = .string("unpriced")
        }
        if let translatedTo = fields.translatedTo { metadata["translated_to"] = .string(translatedTo) }
        if !fields.droppedFields.isEmpty { metadata["dropped"] = .array(fields.droppedFields.map { .string($0) }) }
        if fields.streamed { metadata["streamed"] = .stringConvertible(true) }
        if fields.clientGone { metadata["client_gone"] = .stringConvertible(true) }
        if let code = fields.errorCode { metadata["error_code"] = .string(code) }
        if includesErrorDetails, let details = fields.errorDetails { metadata["error_details"] = .string(details) }
        if let type = fields.upstreamErrorType { metadata["upstream_error_type"] = .string(type) }
        if let code = fields.upstreamErrorCode { metadata["upstream_error_code"] = .string(code) }
        if let outcome = request.outcome { metadata["outcome"] = .string(outcome) }
        let level: Logger.Level = request.status >= 500 || fields.errorCode == ErrorCode.internalError.rawValue ? .error : .info
        logger.log(level: level, "request", metadata: metadata)
    }
}
