/// The HTTP APIs a provider may speak natively, as the providers file names them
/// (`apis: [chat, messages, responses, embeddings]`).
public enum ProviderAPI: String, Sendable, Hashable, CaseIterable, Codable {
    /// OpenAI chat completions, `POST /chat/completions`.
    case chat
    /// Anthropic messages, `POST /messages` (and `/messages/count_tokens`).
    case messages
    /// OpenAI responses, `POST /responses`.
    case responses
    /// OpenAI embeddings, `POST /embeddings`.
    case embeddings

    /// The path under the provider's base URL.
    var path: String {
        switch self {
        case .chat: "/chat/completions"
        case .messages: "/messages"
        case .responses: "/responses"
        case .embeddings: "/embeddings"
        }
    }
}
