/// One turn of a conversation: `user` or `assistant`, with a string or blocks.
public struct MessagesMessage: Codable, Sendable, Hashable {
    public var role: String
    public var content: [MessagesContentBlock]

    public init(role: String, content: [MessagesContentBlock]) {
        self.role = role
        self.content = content
    }

    enum CodingKeys: String, CodingKey {
        case role, content
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.role = try container.decode(String.self, forKey: .role)
        if let text = try? container.decode(String.self, forKey: .content) {
            self.content = [.text(text)]
        } else {
            self.content = try container.decode([MessagesContentBlock].self, forKey: .content)
        }
    }
}
