import Foundation
import HTTPTypes
import Hummingbird
import LLMClient
import Logging
import NIOCore
import Synchronization

/// `GET /mock/stats`
struct MockStats: Encodable {
    let chatRequests: Int
    let messagesRequests: Int
    let modelsRequests: Int

    enum CodingKeys: String, CodingKey {
        case chatRequests = "chat_requests"
        case messagesRequests = "messages_requests"
        case modelsRequests = "models_requests"
    }
}
