import Foundation
import Hummingbird
import NIOCore

/// Decoding a client's body into wire types (for a translation) and encoding answers, with
/// decoding failures as 400s that name the member at fault.
enum ClientBody {
    static func decode<Value: Decodable>(_ type: Value.Type, from body: ByteBuffer) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(body.readableBytesView))
        } catch let DecodingError.typeMismatch(_, context) {
            throw invalid("\(path(context.codingPath)) has the wrong type", context.codingPath)
        } catch let DecodingError.valueNotFound(_, context) {
            throw invalid("\(path(context.codingPath)) must not be null", context.codingPath)
        } catch let DecodingError.keyNotFound(key, context) {
            throw invalid("\(path(context.codingPath + [key])) is required", context.codingPath + [key])
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw invalid("\(path(context.codingPath)) is invalid", context.codingPath)
        } catch {
            throw InboundBody.invalid("the body must be a JSON object")
        }
    }

    /// A JSON answer with status 200.
    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value)))
        )
    }

    private static func invalid(_ message: String, _ codingPath: [any CodingKey]) -> GatewayError {
        InboundBody.invalid(message, param: codingPath.first?.stringValue)
    }

    /// `messages[2].content`
    private static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "body" : text
    }
}
