import Foundation

/// Turns a finished request into usage rows: one per upstream call, the tokens on the last one
/// (which answered), each failed call with its status and no tokens.
struct UsageAccounting: Sendable {
    let recorder: UsageRecorder

    func record(_ request: FinishedRequest) {
        let fields = request.fields
        let now = Date()
        for (index, call) in fields.upstreamCalls.enumerated() {
            let isLast = index == fields.upstreamCalls.count - 1
            let usage = isLast ? fields.usage : nil
            recorder.record(
                UsageRecord(
                    at: now,
                    clientKey: fields.clientKeyID,
                    provider: call.provider,
                    model: call.model,
                    status: isLast && call.status < 400 ? request.status : call.status,
                    promptTokens: usage?.inputTokens ?? 0,
                    completionTokens: isLast ? request.completionTokens : 0,
                    cacheReadTokens: usage?.cacheReadTokens ?? 0,
                    cacheWriteTokens: usage?.cacheWriteTokens ?? 0,
                    reasoningTokens: usage?.reasoningTokens ?? 0,
                    latencyMilliseconds: call.latencyMilliseconds,
                    streamed: fields.streamed,
                    cancelled: isLast && fields.clientGone
                )
            )
        }
    }
}
