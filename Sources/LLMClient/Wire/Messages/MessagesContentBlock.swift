/// One block of an Anthropic message's content: text, an image, a tool call and its result,
/// the model's thinking, or a kind this type does not model (documents, server tools' blocks),
/// kept with its `type` so that a translation can name what it cannot carry.
public enum MessagesContentBlock: Codable, Sendable, Hashable {
    case text(String)
    case image(MessagesImageSource)
    case toolUse(id: String, name: String, input: JSONValue)
    case toolResult(toolUseID: String, content: MessagesToolResultContent?, isError: Bool?)
    case thinking(thinking: String, signature: String?)
    case redactedThinking(data: String)
    case other(type: String, value: JSONValue)

    private enum CodingKeys: String, CodingKey {
        case type, text, source, id, name, input, content, thinking, signature, data
        case toolUseID = "tool_use_id"
        case isError = "is_error"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "text":
            self = .text(try container.decode(String.self, forKey: .text))
        case "image":
            self = .image(try container.decode(MessagesImageSource.self, forKey: .source))
        case "tool_use":
            self = .toolUse(
                id: try container.decode(String.self, forKey: .id),
                name: try container.decode(String.self, forKey: .name),
                input: try container.decodeIfPresent(JSONValue.self, forKey: .input) ?? .object([:])
            )
        case "tool_result":
            self = .toolResult(
                toolUseID: try container.decode(String.self, forKey: .toolUseID),
                content: try container.decodeIfPresent(MessagesToolResultContent.self, forKey: .content),
                isError: try container.decodeIfPresent(Bool.self, forKey: .isError)
            )
        case "thinking":
            self = .thinking(
                thinking: try container.decodeIfPresent(String.self, forKey: .thinking) ?? "",
                signature: try container.decodeIfPresent(String.self, forKey: .signature)
            )
        case "redacted_thinking":
            self = .redactedThinking(data: try container.decodeIfPresent(String.self, forKey: .data) ?? "")
        default:
            self = .other(type: type, value: try JSONValue(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if case .other(_, let value) = self {
            try value.encode(to: encoder)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .image(let source):
            try container.encode("image", forKey: .type)
            try container.encode(source, forKey: .source)
        case .toolUse(let id, let name, let input):
            try container.encode("tool_use", forKey: .type)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(input, forKey: .input)
        case .toolResult(let toolUseID, let content, let isError):
            try container.encode("tool_result", forKey: .type)
            try container.encode(toolUseID, forKey: .toolUseID)
            try container.encodeIfPresent(content, forKey: .content)
            try container.encodeIfPresent(isError, forKey: .isError)
        case .thinking(let thinking, let signature):
            try container.encode("thinking", forKey: .type)
            try container.encode(thinking, forKey: .thinking)
            try container.encode(signature ?? "", forKey: .signature)
        case .redactedThinking(let data):
            try container.encode("redacted_thinking", forKey: .type)
            try container.encode(data, forKey: .data)
        case .other:
            break
        }
    }

    /// The block's `type` as it appears on the wire.
    public var type: String {
        switch self {
        case .text: "text"
        case .image: "image"
        case .toolUse: "tool_use"
        case .toolResult: "tool_result"
        case .thinking: "thinking"
        case .redactedThinking: "redacted_thinking"
        case .other(let type, _): type
        }
    }
}
