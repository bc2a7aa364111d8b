/// A tool the model may call: a custom one with an input schema, or a server tool that
/// Anthropic runs itself (`type` such as `web_search_20250305`).
public struct MessagesTool: Codable, Sendable, Hashable {
    /// Nil or `custom` for a tool the client runs; anything else is a server tool.
    public var type: String?
    public var name: String
    public var description: String?
    public var inputSchema: JSONValue?

    public init(name: String, description: String? = nil, inputSchema: JSONValue?, type: String? = nil) {
        self.type = type
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
    }

    public var isServerTool: Bool { type != nil && type != "custom" }

    enum CodingKeys: String, CodingKey {
        case type, name, description
        case inputSchema = "input_schema"
    }
}
