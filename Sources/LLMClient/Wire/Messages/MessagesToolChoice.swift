/// `{"type":"auto"|"any"|"tool"|"none","name"?,"disable_parallel_tool_use"?}`
public struct MessagesToolChoice: Codable, Sendable, Hashable {
    public var type: String
    public var name: String?
    public var disableParallelToolUse: Bool?

    public init(type: String, name: String? = nil, disableParallelToolUse: Bool? = nil) {
        self.type = type
        self.name = name
        self.disableParallelToolUse = disableParallelToolUse
    }

    enum CodingKeys: String, CodingKey {
        case type, name
        case disableParallelToolUse = "disable_parallel_tool_use"
    }
}
