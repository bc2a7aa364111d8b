/// The answer of `POST /v1/messages/count_tokens`: `{"input_tokens": N}`.
public struct MessagesTokenCount: Codable, Sendable, Hashable {
    public var inputTokens: Int

    public init(inputTokens: Int) {
        self.inputTokens = inputTokens
    }

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
    }
}
