import HTTPTypes
import Hummingbird

/// Who may use a group of routes and what their requests must bring, checked as the group's one
/// step (`RouteStep`), in this order:
/// 1. `ClientKeyCheck`: the client's key, once keys are in use.
/// 2. `RateLimitCheck`: the client's rate limit (its headers go on every answer after it).
/// 3. `JSONBodyReader`: the body, read and scanned once.
/// 4. `AdmissionCheck`: the key's models, concurrency and budgets.
///
/// A group leaves out the later steps it does not need (`GET /v1/models` needs only the key).
/// One step rather than four, for the reason `EveryRouteMiddleware` gives.
struct RouteAccessMiddleware: RouteStep {
    typealias Context = GatewayRequestContext

    let clientKeys: ClientKeyCheck
    var rateLimit: RateLimitCheck? = nil
    var body: JSONBodyReader? = nil
    var admission: AdmissionCheck? = nil

    func handle(_ request: Request, context: Context, next: @Sendable (Request, Context) async throws -> Response) async throws -> Response {
        // Each step is awaited only when it has something to wait for: an async call that
        // returns at once still costs a task frame and executor checks on every request.
        var context = clientKeys.passesWithoutKey(request) ? context : try await clientKeys.authenticate(request, context: context)
        let limitHeaders = try await rateLimit?.acquire(request, context: context)
        do {
            var request = request
            if let body {
                if context.receivedBody != nil {
                    try body.readReceived(request, into: &context)
                } else {
                    try await body.read(&request, into: &context)
                }
            }
            if let admission, context.clientKey != nil { try await admission.admit(context) }
            var response = try await next(request, context)
            if let limitHeaders { response.headers.append(contentsOf: limitHeaders) }
            return response
        } catch {
            guard let limitHeaders else { throw error }
            throw RateLimitCheck.failure(error, telling: limitHeaders, context: context)
        }
    }
}
