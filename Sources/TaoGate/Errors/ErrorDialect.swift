import Foundation
import HTTPTypes
import Hummingbird
import LLMClient
import NIOCore

/// The error shapes TaoGate answers in, one per client API: the reference API's
/// `{"success":false,"error","code"}`, OpenAI's `{"error":{"message","type","param","code"}}`, and
/// Anthropic's `{"type":"error","error":{"type","message"}}`, each with the statuses its SDKs map
/// to their exception classes.
enum ErrorDialect: Sendable {
    case reference
    case openAI
    case anthropic
    /// OpenAI's shape, and streams that end in `response.failed`.
    case responses

    /// The dialect of a path: `/v1/messages…` Anthropic's, other `/v1/…` OpenAI's (unknown
    /// routes included), everything else the reference API's.
    init(path: String) {
        if path.hasPrefix("/v1/messages") {
            self = .anthropic
        } else if path.hasPrefix("/v1/responses") {
            self = .responses
        } else if path.hasPrefix("/v1/") || path == "/v1" {
            self = .openAI
        } else {
            self = .reference
        }
    }

    func response(for error: GatewayError, language: Language, includeDetails: Bool) -> Response {
        var headers = error.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(
            status: status(of: error),
            headers: headers,
            body: .init(byteBuffer: body(for: error, language: language, includeDetails: includeDetails))
        )
    }

    func status(of error: GatewayError) -> HTTPResponse.Status {
        switch self {
        case .reference:
            // The reference API has no 404 for models: an unknown one is a bad request there.
            return error.code == .modelNotFound ? .badRequest : error.code.status
        case .openAI, .responses:
            return error.code.status
        case .anthropic:
            if error.isOverloaded {
                return HTTPResponse.Status(code: 529, reasonPhrase: "Overloaded")
            }
            return error.code.status
        }
    }

    func body(for error: GatewayError, language: Language, includeDetails: Bool) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data: Data?
        switch self {
        case .reference:
            let code = error.code == .modelNotFound ? ErrorCode.invalidRequest : error.code
            data = try? encoder.encode(
                ReferenceErrorBody(
                    success: false,
                    error: (error.message ?? error.code.defaultMessage).text(in: language),
                    code: code.rawValue,
                    param: error.param,
                    details: includeDetails ? error.details : nil
                )
            )
        case .openAI, .responses:
            var message = (error.message ?? error.code.defaultMessage).en
            if includeDetails, let details = error.details { message += " (\(details))" }
            let detail = OpenAIErrorBody.Detail(
                message: message,
                type: error.upstreamType ?? Self.openAIType(of: error.code),
                param: error.param,
                code: error.upstreamCode ?? error.code.openAICode
            )
            data = try? encoder.encode(OpenAIErrorBody(error: detail))
        case .anthropic:
            var message = (error.message ?? error.code.defaultMessage).en
            if includeDetails, let details = error.details { message += " (\(details))" }
            data = try? encoder.encode(AnthropicErrorBody(error: .init(type: anthropicType(of: error), message: message)))
        }
        return ByteBuffer(bytes: data ?? Data(#"{"error":"internal_error"}"#.utf8))
    }

    /// A failure after the first byte of a stream, as the dialect's streams report one.
    func streamEvent(for error: GatewayError, language: Language) -> ByteBuffer {
        var buffer = ByteBuffer()
        switch self {
        case .reference:
            buffer.writeStaticString("event: error\ndata: {\"error\":")
            JSONText.writeString((error.message ?? error.code.defaultMessage).text(in: language), to: &buffer)
            buffer.writeStaticString(",\"code\":")
            JSONText.writeString(error.code.rawValue, to: &buffer)
            buffer.writeStaticString("}\n\n")
        case .openAI:
            // As OpenAI's own streams do: `data: {"error":{…}}`.
            buffer.writeStaticString("data: ")
            buffer.writeImmutableBuffer(body(for: error, language: language, includeDetails: false))
            buffer.writeStaticString("\n\n")
        case .anthropic:
            buffer.writeStaticString("event: error\ndata: ")
            buffer.writeImmutableBuffer(body(for: error, language: language, includeDetails: false))
            buffer.writeStaticString("\n\n")
        case .responses:
            Self.writeResponseFailed(error, responseID: ResponsesEncoding.newResponseID(), sequenceNumber: nil, to: &buffer)
        }
        return buffer
    }

    /// What Codex and the SDKs read as the end of a failed response: `response.failed`, for the
    /// response the stream was about (and after its last sequence number, when it had them).
    static func writeResponseFailed(_ error: GatewayError, responseID: String, sequenceNumber: Int?, to buffer: inout ByteBuffer) {
        var event: [String: JSONValue] = [
            "type": .string("response.failed"),
            "response": .object([
                "id": .string(responseID),
                "object": .string("response"),
                "status": .string("failed"),
                "output": .array([]),
                "error": .object([
                    "code": .string(error.upstreamCode ?? error.code.rawValue),
                    "message": .string((error.message ?? error.code.defaultMessage).en),
                ]),
            ]),
        ]
        if let sequenceNumber { event["sequence_number"] = .integer(sequenceNumber) }
        buffer.writeStaticString("event: response.failed\ndata: ")
        buffer.writeString(JSONValue.object(event).jsonText)
        buffer.writeStaticString("\n\n")
    }

    static func openAIType(of code: ErrorCode) -> String {
        switch code {
        case .invalidRequest, .payloadTooLarge, .unsupportedMediaType, .notFound, .modelNotFound: "invalid_request_error"
        case .unauthorized, .upstreamAuth, .keyExpired: "authentication_error"
        case .rateLimited, .budgetExceeded: "rate_limit_error"
        case .hostNotAllowed, .modelNotAllowed: "permission_error"
        case .upstreamTimeout, .upstreamUnavailable, .shuttingDown, .databaseUnavailable: "upstream_error"
        case .internalError, .clientClosedRequest: "server_error"
        }
    }

    /// Anthropic's error types by status: 400 invalid_request_error, 401 authentication_error,
    /// 404 not_found_error, 413 request_too_large, 429 rate_limit_error, 504 timeout_error,
    /// 529 overloaded_error, other 5xx api_error.
    func anthropicType(of error: GatewayError) -> String {
        switch error.code {
        case .invalidRequest, .unsupportedMediaType: return "invalid_request_error"
        case .payloadTooLarge: return "request_too_large"
        case .unauthorized, .upstreamAuth, .keyExpired: return "authentication_error"
        case .notFound, .modelNotFound: return "not_found_error"
        case .rateLimited, .budgetExceeded: return "rate_limit_error"
        case .hostNotAllowed, .modelNotAllowed: return "permission_error"
        case .upstreamTimeout: return "timeout_error"
        case .upstreamUnavailable: return error.isOverloaded ? "overloaded_error" : "api_error"
        case .shuttingDown, .databaseUnavailable, .internalError, .clientClosedRequest: return "api_error"
        }
    }
}

extension GatewayError {
    /// The provider said it was overloaded: Anthropic's `overloaded_error`, or a 529 from any API.
    var isOverloaded: Bool {
        code == .upstreamUnavailable && (upstreamType == "overloaded_error" || upstreamStatus == 529)
    }
}

/// `{"success":false,"error":"…","code":"…","param"?:"…","details"?:"…"}`
struct ReferenceErrorBody: Encodable {
    let success: Bool
    let error: String
    let code: String
    /// The request field at fault, when one is.
    let param: String?
    let details: String?
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
