import Foundation
import HTTPTypes
import Hummingbird
import LLMClient
import Logging
import NIOCore

/// Turns errors on the `/v1` surface into OpenAI's shape `{"error":{"message","type","param","code"}}`
/// with the status the official SDKs map to their exception classes (400 BadRequestError,
/// 401 AuthenticationError, 404 NotFoundError, 429 RateLimitError, 5xx InternalServerError).
struct OpenAIErrorMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let includeDetails: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let gatewayError = context.failure(for: error)
            var headers = gatewayError.headers
            headers[.contentType] = "application/json"
            return Response(
                status: gatewayError.code.status,
                headers: headers,
                body: .init(byteBuffer: OpenAIErrorResponder.body(for: gatewayError, includeDetails: includeDetails))
            )
        }
    }
}

enum OpenAIErrorResponder {
    static func body(for error: GatewayError, includeDetails: Bool = false) -> ByteBuffer {
        var message = (error.message ?? error.code.defaultMessage).en
        if includeDetails, let details = error.details { message += " (\(details))" }
        let body = OpenAIErrorBody(error: .init(message: message, type: type(of: error.code), param: error.param, code: error.code.openAICode))
        return ByteBuffer(bytes: (try? JSONEncoder().encode(body)) ?? Data(#"{"error":{"message":"error"}}"#.utf8))
    }

    private static func type(of code: ErrorCode) -> String {
        switch code {
        case .invalidRequest, .payloadTooLarge, .notFound, .modelNotFound: "invalid_request_error"
        case .unauthorized, .upstreamAuth: "authentication_error"
        case .rateLimited: "rate_limit_error"
        case .upstreamTimeout, .upstreamUnavailable, .shuttingDown, .databaseUnavailable: "upstream_error"
        case .internalError, .clientClosedRequest: "server_error"
        }
    }
}

extension ErrorCode {
    /// The `code` of an OpenAI-shaped error: OpenAI's own where it has one.
    var openAICode: String {
        switch self {
        case .unauthorized: "invalid_api_key"
        default: rawValue
        }
    }
}
