/// `"auto"`, `"none"`, `"required"`, or `{"type":"function","function":{"name"}}`.
public enum ChatToolChoice: Codable, Sendable, Hashable {
    case mode(String)
    case function(name: String)

    private struct Named: Codable {
        struct Function: Codable {
            var name: String
        }
        var type: String
        var function: Function
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let mode = try? container.decode(String.self) {
            self = .mode(mode)
        } else {
            self = .function(name: try container.decode(Named.self).function.name)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .mode(let mode): try container.encode(mode)
        case .function(let name): try container.encode(Named(type: "function", function: .init(name: name)))
        }
    }
}
