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
