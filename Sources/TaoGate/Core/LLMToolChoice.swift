import LLMClient

enum LLMToolChoice: Sendable, Hashable {
    case auto
    case none
    /// Some tool must be called.
    case required
    case tool(name: String)
}
