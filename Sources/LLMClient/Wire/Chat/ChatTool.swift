/// A tool a chat request offers: `{"type":"function","function":{"name","description","parameters","strict"}}`.
public struct ChatTool: Codable, Sendable, Hashable {
    public struct Function: Codable, Sendable, Hashable {
        public var name: String
        public var description: String?
        /// A JSON schema of the arguments.
        public var parameters: JSONValue?
        public var strict: Bool?

        public init(name: String, description: String? = nil, parameters: JSONValue? = nil, strict: Bool? = nil) {
            self.name = name
            self.description = description
            self.parameters = parameters
            self.strict = strict
        }
    }

    /// `function`; other kinds (such as `custom`) cannot be translated.
    public var type: String
    public var function: Function?

    public init(function: Function) {
        self.type = "function"
        self.function = function
    }
}
