import Foundation
import Hummingbird
import LLMClient
import NIOCore

/// A validated body of `POST /api/chat` and `POST /api/chat/stream`.
struct ChatInput: Sendable {
    var message: String
    var model: String?
    var userID: String?
    var temperature: Double?
    var maxTokens: Int?
    var system: String?
    /// The store's name for the conversation (the userId, scoped by client key).
    var conversationID: String?

    /// The body as sent; every field optional so that a wrong type, not a missing field, is
    /// what the decoder reports.
    struct Body: Decodable, Equatable {
        var message: String?
        var model: String?
        var userId: String?
        var temperature: Double?
        var max_tokens: Int?
        var system: String?

        /// The usual body read without a decoder: only these members, each of its own type or
        /// `null`, numbers of the plain form. Anything else gives nil, and JSONDecoder reads the
        /// body, with the errors it gives.
        static func scanned(from buffer: ByteBuffer) -> Body? {
            buffer.withUnsafeReadableBytes { raw in
                var scanner = JSONScanner(bytes: raw.assumingMemoryBound(to: UInt8.self))
                var body = Body()
                let read = scanner.members { scanner, key in
                    if scanner.null() { return true }
                    switch key {
                    case "message": return scanner.string().map { body.message = $0 } != nil
                    case "model": return scanner.string().map { body.model = $0 } != nil
                    case "userId": return scanner.string().map { body.userId = $0 } != nil
                    case "system": return scanner.string().map { body.system = $0 } != nil
                    case "temperature": return scanner.plainDecimal().map { body.temperature = $0 } != nil
                    case "max_tokens": return scanner.integer().map { body.max_tokens = $0 } != nil
                    default: return false
                    }
                }
                guard read, scanner.isAtEnd() else { return nil }
                return body
            }
        }
    }

    static let messageRequired = GatewayError.invalidRequest(
        en: "message is required and must be a non-empty string",
        zh: "message 为必填项，且必须是非空字符串"
    )

    /// Validates the request body (a message of at most `maxMessageCharacters`).
    static func decode(from buffer: ByteBuffer, context: GatewayRequestContext, maxMessageCharacters: Int) throws -> ChatInput {
        let body: Body
        do {
            body = try Body.scanned(from: buffer) ?? JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.typeMismatch(_, context) {
            throw invalidField(context.codingPath.first?.stringValue)
        } catch let DecodingError.valueNotFound(_, context) {
            throw invalidField(context.codingPath.first?.stringValue)
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw invalidField(context.codingPath.first?.stringValue)
        } catch {
            throw GatewayError.invalidRequest(
                en: "the body must be a JSON object",
                zh: "请求体必须是 JSON 对象"
            )
        }
        var input = try ChatInput(validating: body)
        guard input.message.count <= maxMessageCharacters, (input.system?.count ?? 0) <= maxMessageCharacters else {
            throw GatewayError.invalidRequest(
                en: "message and system may hold at most \(maxMessageCharacters) characters",
                zh: "message 和 system 最多 \(maxMessageCharacters) 个字符"
            )
        }
        input.conversationID = input.userID.map(context.conversationID(for:))
        return input
    }

    private init(validating body: Body) throws {
        guard let message = body.message, !message.allSatisfy(\.isWhitespace) else { throw Self.messageRequired }
        self.message = message
        if let model = body.model {
            guard ModelName.isValid(model) else { throw Self.invalidField("model") }
            self.model = model
        }
        if let userID = body.userId {
            guard UserID.isValid(userID) else { throw UserID.invalid }
            self.userID = userID
        }
        if let temperature = body.temperature {
            guard temperature.isFinite, (0...2).contains(temperature) else { throw Self.invalidField("temperature") }
            self.temperature = temperature
        }
        if let maxTokens = body.max_tokens {
            guard (1...1_000_000).contains(maxTokens) else { throw Self.invalidField("max_tokens") }
            self.maxTokens = maxTokens
        }
        self.system = body.system.flatMap { $0.isEmpty ? nil : $0 }
    }

    private static func invalidField(_ name: String?) -> GatewayError {
        switch name {
        case "message":
            return messageRequired
        case "model":
            return .invalidRequest(
                en: "model must be a non-empty string of at most 200 characters",
                zh: "model 必须是不超过 200 个字符的非空字符串"
            )
        case "userId":
            return UserID.invalid
        case "temperature":
            return .invalidRequest(en: "temperature must be a number from 0 to 2", zh: "temperature 必须是 0 到 2 之间的数字")
        case "max_tokens":
            return .invalidRequest(
                en: "max_tokens must be a whole number from 1 to 1000000",
                zh: "max_tokens 必须是 1 到 1000000 之间的整数"
            )
        case "system":
            return .invalidRequest(en: "system must be a string", zh: "system 必须是字符串")
        default:
            return .invalidRequest(en: "the body must be a JSON object", zh: "请求体必须是 JSON 对象")
        }
    }
}
