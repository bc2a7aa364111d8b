import HTTPTypes

/// The stable error codes of the reference API (DESIGN.md §4) with their statuses and messages.
public enum ErrorCode: String, Sendable, CaseIterable {
    case invalidRequest = "invalid_request"
    case payloadTooLarge = "payload_too_large"
    /// A POST body whose Content-Type is not JSON.
    case unsupportedMediaType = "unsupported_media_type"
    case unauthorized
    /// The client key's expiry time has passed.
    case keyExpired = "key_expired"
    /// The client key may not call this model (its allowed models, or a spending budget and a
    /// model without a price in its currency).
    case modelNotAllowed = "model_not_allowed"
    case notFound = "not_found"
    case modelNotFound = "model_not_found"
    case upstreamAuth = "upstream_auth"
    case rateLimited = "rate_limited"
    /// A client key's token budget is used up (or held by requests in flight).
    case budgetExceeded = "budget_exceeded"
    /// The Host header names no host this gateway answers to (DNS rebinding).
    case hostNotAllowed = "host_not_allowed"
    case upstreamTimeout = "upstream_timeout"
    case upstreamUnavailable = "upstream_unavailable"
    /// The server is shutting down and the request's grace period has ended.
    case shuttingDown = "shutting_down"
    /// The database does not answer; the request needs it.
    case databaseUnavailable = "database_unavailable"
    case internalError = "internal_error"
    /// The client left before the answer; only ever seen in logs (nginx's 499).
    case clientClosedRequest = "client_closed_request"

    public var status: HTTPResponse.Status {
        switch self {
        case .invalidRequest: .badRequest
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .unauthorized, .upstreamAuth, .keyExpired: .unauthorized
        case .modelNotAllowed: .forbidden
        case .notFound, .modelNotFound: .notFound
        case .rateLimited, .budgetExceeded: .tooManyRequests
        case .hostNotAllowed: .forbidden
        case .upstreamTimeout: .gatewayTimeout
        case .upstreamUnavailable: .badGateway
        case .shuttingDown, .databaseUnavailable: .serviceUnavailable
        case .internalError: .internalServerError
        case .clientClosedRequest: HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
        }
    }

    /// What the client is told when nothing more specific is known.
    public var defaultMessage: LocalizedMessage {
        switch self {
        case .invalidRequest:
            LocalizedMessage(en: "The request is invalid.", zh: "请求无效。")
        case .payloadTooLarge:
            LocalizedMessage(en: "The request body is too large.", zh: "请求体过大。")
        case .unsupportedMediaType:
            LocalizedMessage(
                en: "The body must be JSON: send it with the header Content-Type: application/json.",
                zh: "请求体必须是 JSON：请带上请求头 Content-Type: application/json。"
            )
        case .unauthorized:
            LocalizedMessage(en: "A valid API key is required.", zh: "需要有效的 API 密钥。")
        case .keyExpired:
            LocalizedMessage(en: "This API key has expired.", zh: "该 API 密钥已过期。")
        case .modelNotAllowed:
            LocalizedMessage(en: "This API key may not call this model.", zh: "该 API 密钥无权调用此模型。")
        case .notFound:
            LocalizedMessage(en: "Not found.", zh: "未找到。")
        case .modelNotFound:
            LocalizedMessage(en: "No provider serves this model.", zh: "没有服务商提供该模型。")
        case .upstreamAuth:
            LocalizedMessage(
                en: "The model provider rejected the gateway's credentials.",
                zh: "模型服务商拒绝了网关的凭据。"
            )
        case .rateLimited:
            LocalizedMessage(en: "Too many requests, please try again later.", zh: "请求过于频繁，请稍后再试。")
        case .budgetExceeded:
            LocalizedMessage(en: "This key has used its budget.", zh: "该密钥的额度已用完。")
        case .hostNotAllowed:
            LocalizedMessage(
                en: "This host name is not allowed here; set ALLOWED_HOSTS to serve it.",
                zh: "不允许此主机名访问；如需使用请设置 ALLOWED_HOSTS。"
            )
        case .upstreamTimeout:
            LocalizedMessage(en: "The model provider did not answer in time.", zh: "模型服务商响应超时。")
        case .upstreamUnavailable:
            LocalizedMessage(en: "The model provider is unavailable.", zh: "模型服务商暂时不可用。")
        case .internalError:
            LocalizedMessage(en: "Internal server error.", zh: "服务器内部错误。")
        case .databaseUnavailable:
            LocalizedMessage(en: "The database is unavailable; please retry.", zh: "数据库暂时不可用，请重试。")
        case .shuttingDown:
            LocalizedMessage(en: "The server is shutting down; please retry.", zh: "服务器正在关闭，请重试。")
        case .clientClosedRequest:
            LocalizedMessage(en: "The client closed the request.", zh: "客户端已关闭请求。")
        }
    }
}
