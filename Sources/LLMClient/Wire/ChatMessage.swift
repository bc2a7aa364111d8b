/// One message of a chat conversation, as OpenAI's chat completions API sends and receives it.
public struct ChatMessage: Codable, Sendable, Hashable {
    /// `system`, `user`, `assistant` (or `tool`, `developer` for providers that know them).
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ content: String) -> ChatMessage { .init(role: "system", content: content) }
    public static func user(_ content: String) -> ChatMessage { .init(role: "user", content: content) }
    public static func assistant(_ content: String) -> ChatMessage { .init(role: "assistant", content: content) }
}
