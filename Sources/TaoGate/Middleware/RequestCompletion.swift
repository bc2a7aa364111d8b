import Foundation
import HTTPTypes
import Hummingbird

/// Gives every request an id (the client's `X-Request-ID` when it is sane, else a new one,
/// echoed back), and finishes it once its answer is complete (a stream when its last byte is
/// written, or when writing it failed): hands what the request did to the log line, usage
/// accounting and metrics. `EveryRouteMiddleware`, the outermost step, names the request and
/// completes its answer; the server (`GatewayHTTPChannel`) writes the answer through `deliver`.
struct RequestCompletion {
    let log: RequestLog
    let accounting: UsageAccounting?
    let admission: KeyAdmission?
    let metrics: GatewayMetrics?
    /// Prices the answering call; nil prices nothing.
    var prices: PriceBook? = nil

    /// Names the request: the client's `X-Request-ID`, or a new id. Returns the id.
    func begin(_ request: Request, context: GatewayRequestContext) -> String {
        let requestID = Self.acceptableRequestID(request.headers.value(of: .xRequestID)) ?? RequestIdentifier.next()
        context.record.update { $0.requestID = requestID }
        return requestID
    }

    /// The answer with its request id. A key's admission is settled before an answer of known
    /// length goes (so that the client's next request sees what this one used); a stream's is
    /// settled once it ends (`deliver`), when its usage is known.
    func complete(_ response: Response, context: GatewayRequestContext, requestID: String) async -> Response {
        var response = response
        response.headers[.xRequestID] = requestID
        if response.body.contentLength != nil { await settleAdmission(context: context) }
        return response
    }

    /// Writes `response` with `write`, then finishes the request: its log line, usage row and
    /// metrics come after the answer, not before it, so the client does not wait for them.
    /// A write that fails finishes the request as `client_gone` and is rethrown.
    /// - Parameter start: when the request was received.
    func deliver<Written>(
        _ response: Response,
        to request: Request,
        context: GatewayRequestContext,
        start: ContinuousClock.Instant,
        write: () async throws -> Written
    ) async throws -> Written {
        let status = Int(response.status.code)
        let streamed = response.body.contentLength == nil
        if streamed { metrics?.streamStarted() }
        defer { if streamed { metrics?.streamEnded() } }
        let written: Written
        do {
            written = try await write()
        } catch {
            await finish(request: request, context: context, status: status, start: start, outcome: "client_gone", settled: !streamed)
            throw error
        }
        await finish(request: request, context: context, status: status, start: start, outcome: nil, settled: !streamed)
        return written
    }

    /// Settles the key's admission with what the request used (its billed tokens and cost).
    private func settleAdmission(context: GatewayRequestContext) async {
        let fields = context.record.snapshot
        guard let ticket = fields.admission, let admission else { return }
        let usage = FinishedRequest.billedUsage(of: fields)
        await admission.settle(ticket, usedTokens: usage.totalTokens, cost: price(of: fields)?.cost(of: usage))
    }

    /// The price of the call that answered (or failed last), when its model has one.
    private func price(of fields: RequestRecord.Fields) -> ModelPrice? {
        fields.upstreamCalls.last.flatMap { prices?.price(provider: $0.provider, model: $0.model) }
    }

    /// Hands the request to the log, the usage rows and metrics, settling its key's admission
    /// first unless that was done before the answer.
    private func finish(
        request: Request,
        context: GatewayRequestContext,
        status: Int,
        start: ContinuousClock.Instant,
        outcome: String?,
        settled: Bool
    ) async {
        let fields = context.record.snapshot
        let finished = FinishedRequest(
            method: request.method.rawValue,
            route: context.endpointPath ?? "unmatched",
            status: status,
            start: start,
            duration: ContinuousClock.now - start,
            outcome: outcome,
            fields: fields,
            price: price(of: fields)
        )
        if !settled, let ticket = fields.admission {
            await admission?.settle(ticket, usedTokens: finished.billedUsage.totalTokens, cost: finished.cost)
        }
        accounting?.record(finished)
        metrics?.record(finished)
        log.write(finished)
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

extension Duration {
    /// Milliseconds with three decimals.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 1000).rounded() / 1000
    }
}
