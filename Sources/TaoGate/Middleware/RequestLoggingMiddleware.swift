import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Writes one log line per request once its response (a stream included) is complete:
/// request id, method, route, status, duration, and what the controller recorded (model,
/// message length, upstream latency, tokens). Never message text, never keys.
///
/// Also gives every request an id: the client's `X-Request-ID` when it is sane, else a new one,
/// echoed back in `X-Request-ID`.
struct RequestLoggingMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let logger: Logger
    /// Receives one usage row per upstream call.
    let usageRecorder: UsageRecorder?
    let metrics: GatewayMetrics?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = Self.acceptableRequestID(request.headers[.xRequestID]) ?? RequestIdentifier.next()
        context.record.update { $0.requestID = requestID }
        var response: Response
        do {
            response = try await RequestRecord.$current.withValue(context.record) { try await next(request, context) }
        } catch {
            log(request: request, context: context, status: 500, start: start, outcome: "error")
            throw error
        }
        response.headers[.xRequestID] = requestID
        let status = Int(response.status.code)
        guard response.body.contentLength == nil else {
            log(request: request, context: context, status: status, start: start, outcome: nil)
            return response
        }
        // A streamed body: log when it has been written (or has failed).
        let body = response.body
        let metrics = self.metrics
        response.body = ResponseBody { writer in
            metrics?.streamStarted()
            defer { metrics?.streamEnded() }
            do {
                try await body.write(writer)
            } catch {
                log(request: request, context: context, status: status, start: start, outcome: "client_gone")
                throw error
            }
            log(request: request, context: context, status: status, start: start, outcome: nil)
        }
        return response
    }

    private func log(request: Request, context: Context, status: Int, start: ContinuousClock.Instant, outcome: String?) {
        let duration = ContinuousClock.now - start
        let fields = context.record.snapshot
        var metadata: Logger.Metadata = [
            "request_id": .string(fields.requestID),
            "method": .string(request.method.rawValue),
            "route": .string(context.endpointPath ?? "unmatched"),
            "status": .stringConvertible(status),
            "duration_ms": .stringConvertible(duration.milliseconds),
        ]
        if let client = fields.clientKeyID { metadata["client_key"] = .string(client) }
        if let model = fields.model { metadata["model"] = .string(model) }
        if let last = fields.upstreamCalls.last { metadata["provider"] = .string(last.provider) }
        if fields.upstreamCalls.count > 1 { metadata["upstream_calls"] = .stringConvertible(fields.upstreamCalls.count) }
        if let length = fields.messageLength { metadata["message_length"] = .stringConvertible(length) }
        if let latency = fields.upstreamLatencyMilliseconds { metadata["upstream_latency_ms"] = .stringConvertible(latency) }
        if let usage = fields.usage {
            metadata["prompt_tokens"] = .stringConvertible(usage.prompt)
            metadata["completion_tokens"] = .stringConvertible(usage.completion)
        } else if fields.relayedChunks > 0 {
            // The stream ended early: about one token per chunk is the best count there is.
            metadata["completion_tokens"] = .stringConvertible(fields.relayedChunks)
            metadata["usage_estimated"] = .stringConvertible(true)
        }
        if fields.streamed { metadata["streamed"] = .stringConvertible(true) }
        if fields.clientGone { metadata["client_gone"] = .stringConvertible(true) }
        if let code = fields.errorCode { metadata["error_code"] = .string(code) }
        if let details = fields.errorDetails { metadata["error_details"] = .string(details) }
        if let outcome { metadata["outcome"] = .string(outcome) }
        if let usageRecorder {
            // One row per upstream call; the tokens belong to the last one, which answered.
            let now = Date()
            for (index, call) in fields.upstreamCalls.enumerated() {
                let isLast = index == fields.upstreamCalls.count - 1
                usageRecorder.record(
                    UsageRecord(
                        at: now,
                        clientKey: fields.clientKeyID,
                        provider: call.provider,
                        model: call.model,
                        status: isLast && call.status < 400 ? status : call.status,
                        promptTokens: isLast ? fields.usage?.prompt ?? 0 : 0,
                        completionTokens: isLast ? fields.usage?.completion ?? fields.relayedChunks : 0,
                        latencyMilliseconds: call.latencyMilliseconds,
                        streamed: fields.streamed,
                        cancelled: isLast && fields.clientGone
                    )
                )
            }
        }
        if let metrics {
            let route = context.endpointPath ?? "unmatched"
            metrics.requestFinished(
                route: route,
                method: request.method.rawValue,
                status: status,
                duration: duration,
                upstream: fields.upstreamLatencyMilliseconds.map { .microseconds(Int64($0 * 1000)) }
            )
            for (index, call) in fields.upstreamCalls.enumerated() {
                metrics.upstreamCall(provider: call.provider, status: call.status, latency: .microseconds(Int64(call.latencyMilliseconds * 1000)))
                if index < fields.upstreamCalls.count - 1 { metrics.fallback(from: call.provider) }
            }
            if let model = fields.upstreamCalls.last?.model ?? fields.model {
                metrics.tokens(model: model, prompt: fields.usage?.prompt ?? 0, completion: fields.usage?.completion ?? fields.relayedChunks)
            }
            if let first = fields.firstContentAt { metrics.timeToFirstToken(route: route, first - start) }
        }
        let level: Logger.Level = status >= 500 || fields.errorCode == ErrorCode.internalError.rawValue ? .error : .info
        logger.log(level: level, "request", metadata: metadata)
    }

    /// Up to 128 characters of letters, digits and `-_.:`.
    static func acceptableRequestID(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128,
            value.utf8.allSatisfy({
                $0 < 0x80 && (Character(UnicodeScalar($0)).isLetter || Character(UnicodeScalar($0)).isNumber || "-_.:".utf8.contains($0))
            })
        else { return nil }
        return value
    }
}

/// Short random request ids: 16 hex digits.
enum RequestIdentifier {
    static func next() -> String {
        let value = UInt64.random(in: 0...UInt64.max)
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

extension Duration {
    /// Milliseconds with three decimals.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 1000).rounded() / 1000
    }
}
