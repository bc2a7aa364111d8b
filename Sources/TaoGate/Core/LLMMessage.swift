import LLMClient

/// One message: a role and its parts. Tool results travel as `tool` messages, one per call.
struct LLMMessage: Sendable, Hashable {
    enum Role: String, Sendable, Hashable {
        case system, user, assistant, tool
    }

    var role: Role
    var content: [LLMContent]

    /// The text parts, joined.
    var text: String { content.compactMap(\.text).joined() }
}
