import Foundation
import HTTPTypes
import Hummingbird
import LLMClient
import Logging
import NIOCore
import PostgresNIO
import SQLiteNIO

/// Turns every error thrown below it into the reference API's JSON error body (DESIGN.md §4),
/// in the client's language, with `details` only in development.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let includeDetails: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return response(for: error, request: request, context: context)
        }
    }

    func response(for error: any Error, request: Request, context: Context) -> Response {
        let gatewayError = context.failure(for: error)
        let language = Language(acceptLanguage: request.headers[.acceptLanguage])
        let message = (gatewayError.message ?? gatewayError.code.defaultMessage).text(in: language)
        var headers = gatewayError.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = ErrorBody(
            success: false,
            error: message,
            code: gatewayError.code.rawValue,
            details: includeDetails ? gatewayError.details : nil
        )
        return Response(status: gatewayError.code.status, headers: headers, body: .init(byteBuffer: body.encoded()))
    }

    static func gatewayError(for error: any Error) -> GatewayError {
        switch error {
        case let error as GatewayError:
            return error
        case let error as ProviderError:
            return GatewayError(error)
        case is CancellationError:
            return GatewayError(.clientClosedRequest)
        case is RequestLifetime.ShutdownGraceExpired:
            return GatewayError(.shuttingDown)
        case is PSQLError, is SQLiteError, is DatabaseUnavailable:
            return GatewayError(.databaseUnavailable, details: "\(String(reflecting: type(of: error)))")
        case let error as ModelRouter.UnknownModel:
            // The reference API has no 404 for models: an unknown one is a bad request there.
            return GatewayError.invalidRequest(
                en: "unknown model \(error.model): no provider serves it",
                zh: "未知模型 \(error.model)：没有服务商提供"
            )
        case let error as any HTTPResponseError:
            switch error.status {
            case .contentTooLarge: return GatewayError(.payloadTooLarge)
            case .notFound, .methodNotAllowed: return GatewayError(.notFound)
            case .unauthorized: return GatewayError(.unauthorized)
            case .tooManyRequests: return GatewayError(.rateLimited)
            default:
                // Whatever else the framework refuses is the client's mistake, never a 5xx.
                if error.status.kind == .clientError { return GatewayError(.invalidRequest, details: "\(error.status)") }
                return GatewayError(.internalError, details: "\(error.status)")
            }
        default:
            return GatewayError(.internalError)
        }
    }
}

/// `{"success":false,"error":"…","code":"…","details"?:"…"}`
struct ErrorBody: Encodable {
    let success: Bool
    let error: String
    let code: String
    let details: String?

    func encoded() -> ByteBuffer {
        ByteBuffer(bytes: (try? JSONEncoder().encode(self)) ?? Data(#"{"success":false,"code":"internal_error"}"#.utf8))
    }
}
