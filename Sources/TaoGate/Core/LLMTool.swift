import LLMClient

/// A function the model may call.
struct LLMTool: Sendable, Hashable {
    var name: String
    var description: String?
    /// A JSON schema of the arguments.
    var parameters: JSONValue
}
