import Foundation
import Hummingbird

/// `GET` and `DELETE /api/conversations/{userId}`.
struct ConversationsController {
    let store: any ConversationStore

    struct Message: Encodable {
        let role: String
        let content: String
        let timestamp: String
    }

    struct Conversation: ResponseEncodable {
        let success: Bool
        let userId: String
        let messages: [Message]
    }

    struct Cleared: ResponseEncodable {
        let success: Bool
        let message: String
        let deleted: Int
    }

    func addRoutes(to api: GatewayRouteGroup) {
        api.get("conversations/{userId}", use: show)
        api.delete("conversations/{userId}", use: clear)
    }

    @Sendable func show(_ request: Request, context: GatewayRequestContext) async throws -> Conversation {
        let userID = try Self.userID(from: context)
        let messages = try await store.messages(of: context.conversationID(for: userID)).map {
            Message(role: $0.role, content: $0.content, timestamp: $0.timestamp.formatted(.iso8601))
        }
        return Conversation(success: true, userId: userID, messages: messages)
    }

    @Sendable func clear(_ request: Request, context: GatewayRequestContext) async throws -> Cleared {
        let userID = try Self.userID(from: context)
        let deleted = try await store.clear(context.conversationID(for: userID))
        let language = Language(acceptLanguage: request.headers[.acceptLanguage])
        return Cleared(success: true, message: language == .chinese ? "对话记录已清除" : "Conversation history cleared", deleted: deleted)
    }

    private static func userID(from context: GatewayRequestContext) throws -> String {
        guard let userID = context.parameters.get("userId"), UserID.isValid(userID) else { throw UserID.invalid }
        return userID
    }
}
