import Hummingbird

/// Admits a model request of a client key before any upstream call (`KeyAdmission`): its
/// concurrency limit and its token budget, with a reservation of the request's token limit (or
/// `defaultMaximumTokens`) plus an estimate of its input. The reservation is settled when the
/// request ends (`RequestCompletionMiddleware`).
struct AdmissionMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let admission: KeyAdmission
    /// The reservation of a request that gives no token limit.
    let defaultMaximumTokens: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key = context.clientKey else { return try await next(request, context) }
        let json = try context.jsonBody
        let maximum = (json.fields.maxTokens.map { max(0, $0) } ?? defaultMaximumTokens) + json.body.readableBytes / 4
        if let ticket = try await admission.admit(key, maximumTokens: maximum) {
            context.record.update { $0.admission = ticket }
        }
        return try await next(request, context)
    }
}
