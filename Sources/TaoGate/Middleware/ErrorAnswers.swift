import HTTPTypes
import Hummingbird

/// Turns every error a route throws into its documented answer, in the dialect of the route
/// (`ErrorDialect`): the reference API's body (DESIGN.md §4, in the client's language), OpenAI's
/// on `/v1`, Anthropic's on `/v1/messages`. `details` only in development. A step of
/// `EveryRouteMiddleware`.
struct ErrorAnswers {
    let includeDetails: Bool

    /// The documented answer to `error`, noted in the request's record.
    func response(for error: any Error, to request: Request, context: GatewayRequestContext) -> Response {
        ErrorDialect(path: request.uri.path).response(
            for: context.failure(for: error),
            language: Language(acceptLanguage: request.headers.value(of: .acceptLanguage)),
            includeDetails: includeDetails
        )
    }
}
