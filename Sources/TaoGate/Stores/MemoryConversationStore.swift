/// Conversations in process memory (`DATABASE_URL=memory:`): lost on restart, one instance only.
public actor MemoryConversationStore: ConversationStore {
    private var conversations: [String: [StoredMessage]] = [:]

    public init() {}

    public func recentMessages(of userID: String, limit: Int) -> [StoredMessage] {
        guard limit > 0, let messages = conversations[userID] else { return [] }
        return Array(messages.suffix(limit))
    }

    public func append(_ messages: [StoredMessage], to userID: String, keepingLast: Int) {
        var conversation = conversations[userID, default: []]
        conversation.append(contentsOf: messages)
        if conversation.count > keepingLast { conversation.removeFirst(conversation.count - keepingLast) }
        conversations[userID] = conversation.isEmpty ? nil : conversation
    }

    public func messages(of userID: String) -> [StoredMessage] {
        conversations[userID] ?? []
    }

    public func clear(_ userID: String) -> Int {
        conversations.removeValue(forKey: userID)?.count ?? 0
    }
}
