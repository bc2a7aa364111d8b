import LLMClient

/// The reference API's chat logic: builds the upstream request (defaults, system prompt,
/// the user's recent history) and stores each completed exchange.
struct ChatService: Sendable {
    let provider: any ChatProvider
    let conversations: any ConversationStore
    let defaultModel: String
    let historyContextMessages: Int
    let historyMaxMessages: Int

    static let defaultTemperature = 0.7
    static let defaultMaxTokens = 1000

    func model(for input: ChatInput) -> String {
        input.model ?? defaultModel
    }

    func complete(_ input: ChatInput) async throws -> ChatCompletionResponse {
        let request = try await upstreamRequest(for: input, streaming: false)
        let response = try await provider.complete(request)
        try await remember(input, reply: response.text)
        return response
    }

    func stream(_ input: ChatInput) async throws -> ChatCompletionStream {
        try await provider.stream(upstreamRequest(for: input, streaming: true))
    }

    /// Stores the user's message and the reply as one unit, when the request named a user.
    func remember(_ input: ChatInput, reply: String) async throws {
        guard let conversationID = input.conversationID else { return }
        try await conversations.append(
            [StoredMessage(role: "user", content: input.message), StoredMessage(role: "assistant", content: reply)],
            to: conversationID,
            keepingLast: historyMaxMessages
        )
    }

    private func upstreamRequest(for input: ChatInput, streaming: Bool) async throws -> ChatCompletionRequest {
        var messages: [ChatMessage] = []
        if let system = input.system { messages.append(.system(system)) }
        if let conversationID = input.conversationID, historyContextMessages > 0 {
            let history = try await conversations.recentMessages(of: conversationID, limit: historyContextMessages)
            messages.append(contentsOf: history.map { ChatMessage(role: $0.role, content: $0.content) })
        }
        messages.append(.user(input.message))
        return ChatCompletionRequest(
            model: model(for: input),
            messages: messages,
            temperature: input.temperature ?? Self.defaultTemperature,
            maxTokens: input.maxTokens ?? Self.defaultMaxTokens,
            stream: streaming ? true : nil,
            streamOptions: streaming ? .init(includeUsage: true) : nil
        )
    }
}
