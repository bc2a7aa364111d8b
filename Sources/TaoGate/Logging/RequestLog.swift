import Logging

/// The one log line per request: request id, method, route, status, duration, and what the
/// request did (model, message length, provider, upstream latency, tokens, cost, translation). Never
/// message text, never keys.
///
/// `error_details` (which may quote an upstream's error message, and through it the prompt) is
/// written only in development; the upstream's error type and code always are.
struct RequestLog: Sendable {
    let logger: Logger
    let includesErrorDetails: Bool
    /// The logger's handler, when it is the gateway's own and has no metadata to merge: the line
    /// then goes to it directly (`GatewayLogHandler.write`), as it would through `logger`.
    private let gatewayHandler: GatewayLogHandler?

    init(logger: Logger, includesErrorDetails: Bool = false) {
        self.logger = logger
        self.includesErrorDetails = includesErrorDetails
        self.gatewayHandler = (logger.handler as? GatewayLogHandler).flatMap { $0.metadata.isEmpty ? $0 : nil }
    }

    func write(_ request: FinishedRequest) {
        let level: Logger.Level = request.status >= 500 || request.fields.errorCode == ErrorCode.internalError.rawValue ? .error : .info
        guard logger.logLevel <= level else { return }
        if let gatewayHandler {
            gatewayHandler.write(fields(of: request), message: "request", level: level)
        } else {
            logger.log(level: level, "request", metadata: [LogFields.metadataKey: .stringConvertible(fields(of: request))])
        }
    }

    func fields(of request: FinishedRequest) -> LogFields {
        let fields = request.fields
        var line = LogFields(capacity: 24)
        line.add("request_id", .string(fields.requestID))
        line.add("method", .string(request.method))
        line.add("route", .string(request.route))
        line.add("status", .integer(request.status))
        line.add("duration_ms", .number(request.duration.milliseconds))
        if let client = fields.clientKeyID { line.add("client_key", .string(client)) }
        if let model = fields.model { line.add("model", .string(model)) }
        if let last = fields.upstreamCalls.last { line.add("provider", .string(last.provider)) }
        if fields.upstreamCalls.count > 1 { line.add("upstream_calls", .integer(fields.upstreamCalls.count)) }
        if let length = fields.messageLength { line.add("message_length", .integer(length)) }
        if let latency = fields.upstreamLatencyMilliseconds { line.add("upstream_latency_ms", .number(latency)) }
        if let usage = fields.usage {
            line.add("prompt_tokens", .integer(usage.inputTokens))
            line.add("completion_tokens", .integer(usage.outputTokens))
            if usage.cacheReadTokens > 0 { line.add("cache_read_tokens", .integer(usage.cacheReadTokens)) }
            if usage.cacheWriteTokens > 0 { line.add("cache_write_tokens", .integer(usage.cacheWriteTokens)) }
            if usage.reasoningTokens > 0 { line.add("reasoning_tokens", .integer(usage.reasoningTokens)) }
        } else if fields.relayedChunks > 0 {
            // The stream ended early: about one token per chunk is the best count there is.
            line.add("completion_tokens", .integer(fields.relayedChunks))
            line.add("usage_estimated", .flag(true))
        }
        if let cost = request.cost {
            line.add("cost", .number(Money.shown(cost.amount)))
            line.add("currency", .string(cost.currency.rawValue))
        } else if request.isUnpriced {
            line.add("cost", .string("unpriced"))
        }
        if let translatedTo = fields.translatedTo { line.add("translated_to", .string(translatedTo)) }
        if !fields.droppedFields.isEmpty { line.add("dropped", .strings(fields.droppedFields)) }
        if fields.streamed { line.add("streamed", .flag(true)) }
        if fields.clientGone { line.add("client_gone", .flag(true)) }
        if let code = fields.errorCode { line.add("error_code", .string(code)) }
        if includesErrorDetails, let details = fields.errorDetails { line.add("error_details", .string(details)) }
        if let type = fields.upstreamErrorType { line.add("upstream_error_type", .string(type)) }
        if let code = fields.upstreamErrorCode { line.add("upstream_error_code", .string(code)) }
        if let outcome = request.outcome { line.add("outcome", .string(outcome)) }
        return line
    }
}
