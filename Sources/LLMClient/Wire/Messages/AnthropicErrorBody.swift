/// Anthropic's error body: `{"type":"error","error":{"type","message"}}`.
public struct AnthropicErrorBody: Codable, Sendable, Hashable {
    public struct Detail: Codable, Sendable, Hashable {
        /// `invalid_request_error`, `authentication_error`, `permission_error`, `not_found_error`,
        /// `request_too_large`, `rate_limit_error`, `api_error`, `overloaded_error`, …
        public var type: String
        public var message: String

        public init(type: String, message: String) {
            self.type = type
            self.message = message
        }
    }

    public var type: String
    public var error: Detail

    public init(error: Detail) {
        self.type = "error"
        self.error = error
    }
}
