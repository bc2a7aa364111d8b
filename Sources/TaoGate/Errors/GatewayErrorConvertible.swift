import HTTPTypes
import Hummingbird
import LLMClient

/// An error that knows which documented failure it is. Stores, the router, the providers and the
/// request lifetime throw errors of their own; each says here what the client is told, so the
/// HTTP layer needs to know none of them.
protocol GatewayErrorConvertible: Error {
    var gatewayError: GatewayError { get }
}

extension GatewayError: GatewayErrorConvertible {
    var gatewayError: GatewayError { self }

    /// The documented failure for any error: its own when it knows it, the framework's 4xx as a
    /// client mistake, else an internal error.
    init(describing error: any Error) {
        switch error {
        case let error as any GatewayErrorConvertible:
            self = error.gatewayError
        case let error as any HTTPResponseError:
            switch error.status {
            case .contentTooLarge: self.init(.payloadTooLarge)
            case .notFound, .methodNotAllowed: self.init(.notFound)
            case .unauthorized: self.init(.unauthorized)
            case .tooManyRequests: self.init(.rateLimited)
            case .unsupportedMediaType: self.init(.unsupportedMediaType)
            default:
                // Whatever else the framework refuses is the client's mistake, never a 5xx.
                if error.status.kind == .clientError {
                    self.init(.invalidRequest, details: "\(error.status)")
                } else {
                    self.init(.internalError, details: "\(error.status)")
                }
            }
        default:
            self.init(.internalError)
        }
    }
}

extension ProviderError: GatewayErrorConvertible {
    var gatewayError: GatewayError { GatewayError(self) }
}

extension DatabaseUnavailable: GatewayErrorConvertible {
    var gatewayError: GatewayError { GatewayError(.databaseUnavailable, details: reason) }
}

extension ModelRouter.UnknownModel: GatewayErrorConvertible {
    var gatewayError: GatewayError { .unknownModel(model) }
}

extension ModelRouter.UnservableRequest: GatewayErrorConvertible {
    var gatewayError: GatewayError {
        var error = GatewayError(
            .modelNotFound,
            message: LocalizedMessage(
                en: "No provider of the model `\(model)` serves the \(api.rawValue) API.",
                zh: "模型 `\(model)` 的服务商不提供 \(api.rawValue) API。"
            )
        )
        error.param = "model"
        return error
    }
}

extension TranslationError: GatewayErrorConvertible {
    var gatewayError: GatewayError {
        .invalidRequest(
            en: "This request holds \(what), which the provider serving its model cannot be given in its API.",
            zh: "该请求包含 \(what)，为该模型提供服务的服务商的 API 无法承载。"
        )
    }
}

extension RequestLifetime.ShutdownGraceExpired: GatewayErrorConvertible {
    var gatewayError: GatewayError { GatewayError(.shuttingDown) }
}

extension CancellationError: GatewayErrorConvertible {
    var gatewayError: GatewayError { GatewayError(.clientClosedRequest) }
}
