/// A tool of a Responses request: a function, a freeform custom tool (such as Codex's
/// `apply_patch`), or a hosted one the provider runs itself (`web_search`, `file_search`,
/// `code_interpreter`, …), kept with its `type`.
public enum ResponsesTool: Codable, Sendable, Hashable {
    case function(name: String, description: String?, parameters: JSONValue?, strict: Bool?)
    case custom(name: String, description: String?)
    case hosted(type: String, value: JSONValue)

    private enum CodingKeys: String, CodingKey {
        case type, name, description, parameters, strict
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "function":
            self = .function(
                name: try container.decode(String.self, forKey: .name),
                description: try container.decodeIfPresent(String.self, forKey: .description),
                parameters: try container.decodeIfPresent(JSONValue.self, forKey: .parameters),
                strict: try container.decodeIfPresent(Bool.self, forKey: .strict)
            )
        case "custom":
            self = .custom(
                name: try container.decode(String.self, forKey: .name),
                description: try container.decodeIfPresent(String.self, forKey: .description)
            )
        default:
            self = .hosted(type: type, value: try JSONValue(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .function(let name, let description, let parameters, let strict):
            try container.encode("function", forKey: .type)
            try container.encode(name, forKey: .name)
            try container.encodeIfPresent(description, forKey: .description)
            try container.encodeIfPresent(parameters, forKey: .parameters)
            try container.encodeIfPresent(strict, forKey: .strict)
        case .custom(let name, let description):
            try container.encode("custom", forKey: .type)
            try container.encode(name, forKey: .name)
            try container.encodeIfPresent(description, forKey: .description)
        case .hosted(_, let value):
            try value.encode(to: encoder)
        }
    }
}

/// `tool_choice`: `"auto"`, `"none"`, `"required"`, `{"type":"function","name"}`,
/// `{"type":"custom","name"}`, or a hosted tool `{"type":"web_search"}`.
public enum ResponsesToolChoice: Codable, Sendable, Hashable {
    case mode(String)
    case function(name: String)
    case custom(name: String)
    case hosted(type: String)

    private enum CodingKeys: String, CodingKey {
        case type, name
    }

    public init(from decoder: any Decoder) throws {
        if let mode = try? decoder.singleValueContainer().decode(String.self) {
            self = .mode(mode)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "function": self = .function(name: try container.decode(String.self, forKey: .name))
        case "custom": self = .custom(name: try container.decode(String.self, forKey: .name))
        default: self = .hosted(type: type)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .mode(let mode):
            var container = encoder.singleValueContainer()
            try container.encode(mode)
        case .function(let name):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("function", forKey: .type)
            try container.encode(name, forKey: .name)
        case .custom(let name):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("custom", forKey: .type)
            try container.encode(name, forKey: .name)
        case .hosted(let type):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
        }
    }
}
