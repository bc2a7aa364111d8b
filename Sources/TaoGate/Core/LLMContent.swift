import LLMClient

/// One part of a message in no API's dialect: what chat content parts and tool calls, Anthropic
/// blocks, and Responses items all become on their way through the gateway.
enum LLMContent: Sendable, Hashable {
    case text(String)
    case image(LLMImage)
    /// A call the assistant makes; `arguments` is JSON text.
    case toolCall(id: String, name: String, arguments: String)
    /// The answer to a call, on a `tool` message.
    case toolResult(LLMToolResult)
    /// The model's reasoning; `signature` only when an Anthropic model signed it.
    case reasoning(text: String, signature: String?)
    /// Reasoning a provider returned encrypted (Anthropic's `redacted_thinking`).
    case redactedReasoning(data: String)

    var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}

/// An image, by URL or as inline data.
enum LLMImage: Sendable, Hashable {
    case url(String)
    case data(mediaType: String, base64: String)

    /// A `data:` URL is read as inline data; anything else stays a URL.
    init(url: String) {
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") {
            let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
            if header.hasSuffix(";base64") {
                self = .data(mediaType: String(header.dropLast(7)), base64: String(url[url.index(after: comma)...]))
                return
            }
        }
        self = .url(url)
    }

    /// The image as a URL (`data:` for inline data).
    var url: String {
        switch self {
        case .url(let url): url
        case .data(let mediaType, let base64): "data:\(mediaType);base64,\(base64)"
        }
    }
}

/// What a tool call returned: text and images, and whether the tool failed.
struct LLMToolResult: Sendable, Hashable {
    var toolCallID: String
    var content: [LLMContent]
    var isError: Bool

    /// The text parts, joined.
    var text: String { content.compactMap(\.text).joined(separator: "\n") }
}
