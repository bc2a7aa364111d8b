import Hummingbird

/// What every request goes through, as one of the router's steps (`RouteStep`). Outermost first:
/// 1. `RequestCompletion` names the request and completes its answer (the request id, the key's
///    admission); the server finishes the request through it once the answer is written.
/// 2. `SecurityHeaders` on every answer.
/// 3. `CORSPolicy`, when CORS_ORIGINS is set: preflights are answered here.
/// 4. `ErrorAnswers`: whatever the steps below throw becomes the documented answer.
/// 5. `HostCheck`, on a loopback listener or with ALLOWED_HOSTS.
///
/// One step rather than five: each link of a chain costs async frames and copies of the request
/// context on every request. With `RouteAccessMiddleware`, which does the same for the route
/// groups' checks, a model request passes two links instead of nine (BENCHMARKS.md has what that
/// saved).
struct EveryRouteMiddleware: RouteStep {
    typealias Context = GatewayRequestContext

    let completion: RequestCompletion
    let cors: CORSPolicy?
    let errors: ErrorAnswers
    let hostCheck: HostCheck?

    func handle(_ request: Request, context: Context, next: @Sendable (Request, Context) async throws -> Response) async throws -> Response {
        let requestID = completion.begin(request, context: context)
        var response: Response
        if let cors, let allowOrigin = cors.allowedOrigin(for: request) {
            if let preflight = cors.preflightAnswer(to: request, allowing: allowOrigin) {
                response = preflight
            } else {
                response = await answer(request, context: context, next: next)
                CORSPolicy.allow(allowOrigin, in: &response)
            }
        } else {
            response = await answer(request, context: context, next: next)
        }
        SecurityHeaders.add(to: &response)
        return await completion.complete(response, context: context, requestID: requestID)
    }

    /// The route's answer, or the documented answer to what it (or the Host check) threw.
    private func answer(_ request: Request, context: Context, next: @Sendable (Request, Context) async throws -> Response) async -> Response {
        do {
            try hostCheck?.check(request)
            return try await next(request, context)
        } catch {
            return errors.response(for: error, to: request, context: context)
        }
    }
}
