import HTTPTypes
import Hummingbird

/// Turns every error thrown below it into its documented answer, in the dialect of the route
/// (`ErrorDialect`): the reference API's body (DESIGN.md §4, in the client's language), OpenAI's
/// on `/v1`, Anthropic's on `/v1/messages`. `details` only in development.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let includeDetails: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let failure = context.failure(for: error)
            return ErrorDialect(path: request.uri.path).response(
                for: failure,
                language: Language(acceptLanguage: request.headers.value(of: .acceptLanguage)),
                includeDetails: includeDetails
            )
        }
    }
}
