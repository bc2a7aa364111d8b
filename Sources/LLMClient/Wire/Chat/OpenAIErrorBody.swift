/// The error body OpenAI-compatible APIs return: `{"error":{"message","type","param","code"}}`.
public struct OpenAIErrorBody: Codable, Sendable, Hashable {
    public struct Detail: Codable, Sendable, Hashable {
        public var message: String
        public var type: String?
        public var param: String?
        /// Providers send a string or a number here; both decode to a string.
        public var code: String?

        public init(message: String, type: String?, param: String? = nil, code: String? = nil) {
            self.message = message
            self.type = type
            self.param = param
            self.code = code
        }

        enum CodingKeys: String, CodingKey {
            case message, type, param, code
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
            self.type = try? container.decodeIfPresent(String.self, forKey: .type)
            self.param = try? container.decodeIfPresent(String.self, forKey: .param)
            if let text = try? container.decodeIfPresent(String.self, forKey: .code) {
                self.code = text
            } else if let number = try? container.decodeIfPresent(Int.self, forKey: .code) {
                self.code = String(number)
            } else {
                self.code = nil
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(message, forKey: .message)
            try container.encode(type, forKey: .type)
            try container.encode(param, forKey: .param)
            try container.encode(code, forKey: .code)
        }
    }

    public var error: Detail

    public init(error: Detail) {
        self.error = error
    }
}
