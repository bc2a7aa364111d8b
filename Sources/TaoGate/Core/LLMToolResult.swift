import LLMClient

/// What a tool call returned: text and images, and whether the tool failed.
struct LLMToolResult: Sendable, Hashable {
    var toolCallID: String
    var content: [LLMContent]
    var isError: Bool

    /// The text parts, joined.
    var text: String { content.compactMap(\.text).joined(separator: "\n") }
}
