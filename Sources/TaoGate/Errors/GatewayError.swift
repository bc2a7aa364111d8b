import HTTPTypes
import LLMClient

/// A documented failure: its stable code, what the client is told, and the headers the answer
/// carries. The error middleware renders it in the client's dialect (`ErrorDialect`).
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
    /// The upstream's own error type and code, passed on to the client (its message is not: it
    /// may quote the prompt).
    public var upstreamType: String?
    public var upstreamCode: String?
    /// The upstream's HTTP status, when it answered with an error.
    public var upstreamStatus: Int?

    public init(_ code: ErrorCode, message: LocalizedMessage? = nil, details: String? = nil, headers: HTTPFields = [:]) {
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public static func invalidRequest(en: String, zh: String) -> GatewayError {
        GatewayError(.invalidRequest, message: LocalizedMessage(en: en, zh: zh))
    }

    /// A model no provider serves (404 on the OpenAI and Anthropic surfaces, 400 on `/api`).
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
                let message =
                    Self.passedOnMessage(error.upstreamMessage)
                    ?? "The model provider rejected the request\(error.status == 404 ? " (unknown model or path)" : "")."
                self.init(.invalidRequest, message: LocalizedMessage(en: message, zh: "模型服务商拒绝了该请求。"), details: details)
            case 500...:
                self.init(.upstreamUnavailable, details: details)
            default:
                self.init(.internalError, details: details)
            }
        }
        self.upstreamType = error.upstreamType
        self.upstreamCode = error.upstreamCode
        self.upstreamStatus = error.status
    }

    /// An upstream message that clients act on and that quotes nothing of the prompt: a prompt
    /// over the model's context, which agents answer by compacting their history (Claude Code
    /// looks for "prompt is too long"). Other upstream messages are shown only in development.
    static func passedOnMessage(_ message: String?) -> String? {
        guard let message, message.utf8.count <= 300 else { return nil }
        let lowered = message.lowercased()
        let signs = ["prompt is too long", "context length", "context window", "maximum context", "too many tokens"]
        return signs.contains(where: lowered.contains) ? message : nil
    }
}
