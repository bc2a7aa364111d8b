import HTTPTypes
import LLMClient

/// An error the HTTP layer turns into `{"success":false,"error","code"}` with the code's status.
public struct GatewayError: Error, Sendable {
    public var code: ErrorCode
    /// Overrides the code's default message.
    public var message: LocalizedMessage?
    /// Extra information shown only when APP_ENV=development. Never holds secrets.
    public var details: String?
    /// Headers the response must carry (Retry-After, RateLimit-*).
    public var headers: HTTPFields
    /// The request field at fault, for OpenAI-shaped errors.
    public var param: String?

    public init(_ code: ErrorCode, message: LocalizedMessage? = nil, details: String? = nil, headers: HTTPFields = [:]) {
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public static func invalidRequest(en: String, zh: String) -> GatewayError {
        GatewayError(.invalidRequest, message: LocalizedMessage(en: en, zh: zh))
    }

    /// The OpenAI surface answers 404 for a model no provider serves.
    static func unknownModel(_ model: String) -> GatewayError {
        var error = GatewayError(
            .modelNotFound,
            message: LocalizedMessage(en: "The model `\(model)` does not exist or no provider serves it.", zh: "模型 `\(model)` 不存在或没有服务商提供。")
        )
        error.param = "model"
        return error
    }
}

extension GatewayError {
    /// Maps a provider failure to the documented status and code.
    init(_ error: ProviderError) {
        let details = error.upstreamMessage.map { "upstream: \($0)" }
        switch error.kind {
        case .timeout:
            self.init(.upstreamTimeout, details: details)
        case .unreachable, .invalidResponse:
            self.init(.upstreamUnavailable, details: details)
        case .status:
            switch error.status ?? 500 {
            case 401, 403:
                self.init(.upstreamAuth, details: details)
            case 429:
                let seconds = error.retryAfter.map { max(1, Int(($0 / .seconds(1)).rounded(.up))) } ?? 1
                self.init(.rateLimited, details: details, headers: [.retryAfter: String(seconds)])
            case 408:
                self.init(.upstreamTimeout, details: details)
            case 400, 404, 409, 413, 422:
                self.init(
                    .invalidRequest,
                    message: LocalizedMessage(
                        en: "The model provider rejected the request\(error.status == 404 ? " (unknown model or path)" : "").",
                        zh: "模型服务商拒绝了该请求。"
                    ),
                    details: details
                )
            case 500...:
                self.init(.upstreamUnavailable, details: details)
            default:
                self.init(.internalError, details: details)
            }
        }
    }
}
