import Foundation

/// Turns a finished request into usage rows: one per upstream call, the tokens and cost on the
/// last one (which answered), each failed call with its status, no tokens, and a cost of 0 (or
/// none, when its model has no price). Costs use the prices in force now, and are never
/// computed again.
struct UsageAccounting: Sendable {
    let recorder: UsageRecorder
    var prices: PriceBook? = nil

    func record(_ request: FinishedRequest) {
        let fields = request.fields
        let now = Date()
        for (index, call) in fields.upstreamCalls.enumerated() {
            let isLast = index == fields.upstreamCalls.count - 1
            let usage = isLast ? request.billedUsage : TokenUsage(inputTokens: 0, outputTokens: 0)
            let cost = isLast ? request.cost : prices?.price(provider: call.provider, model: call.model)?.cost(of: usage)
            recorder.record(
                UsageRecord(
                    at: now,
                    clientKey: fields.clientKeyID,
                    provider: call.provider,
                    model: call.model,
                    status: isLast && call.status < 400 ? request.status : call.status,
                    promptTokens: usage.inputTokens,
                    completionTokens: usage.outputTokens,
                    cacheReadTokens: usage.cacheReadTokens,
                    cacheWriteTokens: usage.cacheWriteTokens,
                    reasoningTokens: usage.reasoningTokens,
                    latencyMilliseconds: call.latencyMilliseconds,
                    streamed: fields.streamed,
                    cancelled: isLast && fields.clientGone,
                    requestID: fields.requestID,
                    durationMilliseconds: isLast ? request.duration.milliseconds : call.latencyMilliseconds,
                    cost: cost?.amount,
                    currency: cost?.currency
                )
            )
        }
    }
}
