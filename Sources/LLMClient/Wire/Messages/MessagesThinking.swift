/// Extended thinking: `{"type":"enabled","budget_tokens":N}`, `{"type":"adaptive"}` or `{"type":"disabled"}`.
public struct MessagesThinking: Codable, Sendable, Hashable {
    public var type: String
    public var budgetTokens: Int?

    public init(type: String, budgetTokens: Int? = nil) {
        self.type = type
        self.budgetTokens = budgetTokens
    }

    enum CodingKeys: String, CodingKey {
        case type
        case budgetTokens = "budget_tokens"
    }
}
