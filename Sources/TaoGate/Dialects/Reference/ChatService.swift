import LLMClient

/// The reference API's chat logic: builds the neutral request (defaults, system prompt, the
/// user's recent history), routes it, and stores each completed exchange.
struct ChatService: Sendable {
    let router: ModelRouter
    let conversations: any ConversationStore
    let defaultModel: String
    let historyContextMessages: Int
    let historyMaxMessages: Int
    /// The longest reply kept in a conversation (a longer one is kept cut to this length).
    let maxReplyCharacters: Int

    static let defaultTemperature = 0.7
    static let defaultMaxTokens = 1000

    func model(for input: ChatInput) -> String {
        input.model ?? defaultModel
    }

    func complete(_ input: ChatInput, record: RequestRecord) async throws -> LLMResponse {
        let response = try await router.complete(try await request(for: input), record: record)
        try await remember(input, reply: response.text)
        return response
    }

    func stream(_ input: ChatInput, record: RequestRecord) async throws -> LLMEventStream {
        try await router.stream(try await request(for: input), record: record)
    }

    /// Stores the user's message and the reply (cut to `maxReplyCharacters`) as one unit, when
    /// the request named a user.
    func remember(_ input: ChatInput, reply: String) async throws {
        guard let conversationID = input.conversationID else { return }
        try await conversations.append(
            [StoredMessage(role: "user", content: input.message), StoredMessage(role: "assistant", content: kept(reply))],
            to: conversationID,
            keepingLast: historyMaxMessages
        )
    }

    /// A reply of no more bytes than the limit has no more characters either: only a longer one
    /// is walked character by character.
    private func kept(_ reply: String) -> String {
        reply.utf8.count <= maxReplyCharacters ? reply : String(reply.prefix(maxReplyCharacters))
    }

    /// The system prompt, the last HISTORY_CONTEXT_MESSAGES stored messages, and the new one;
    /// temperature 0.7 and max_tokens 1000 unless the body gave them.
    func request(for input: ChatInput) async throws -> LLMRequest {
        var messages: [LLMMessage] = []
        if let conversationID = input.conversationID, historyContextMessages > 0 {
            let history = try await conversations.recentMessages(of: conversationID, limit: historyContextMessages)
            messages += history.compactMap { stored in
                guard let role = LLMMessage.Role(rawValue: stored.role), role == .user || role == .assistant else { return nil }
                return LLMMessage(role: role, content: [.text(stored.content)])
            }
        }
        messages.append(LLMMessage(role: .user, content: [.text(input.message)]))
        var request = LLMRequest(model: model(for: input), system: input.system, messages: messages)
        request.temperature = input.temperature ?? Self.defaultTemperature
        request.maxTokens = input.maxTokens ?? Self.defaultMaxTokens
        return request
    }
}
