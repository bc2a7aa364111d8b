import Foundation
import LLMClient
import NIOCore

/// What the gateway reads of a `/v1/chat/completions` body: only what routing needs. The body
/// itself goes upstream as the client sent it.
struct PassthroughRequest: Sendable {
    var model: String
    var stream: Bool
    /// The client asked for `stream_options.include_usage` itself.
    var clientWantsUsage: Bool
    var messageCount: Int

    /// Decodes any JSON value without keeping it.
    private struct Skipped: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    private struct Fields: Decodable {
        struct StreamOptions: Decodable {
            var include_usage: Bool?
        }

        var model: String?
        var messages: [Skipped]?
        var stream: Bool?
        var stream_options: StreamOptions?
    }

    static func parse(_ body: ByteBuffer) throws -> (PassthroughRequest, hasStreamOptions: Bool) {
        let fields: Fields
        do {
            fields = try JSONDecoder().decode(Fields.self, from: Data(body.readableBytesView))
        } catch let DecodingError.typeMismatch(_, context) {
            throw invalid("\(context.codingPath.first?.stringValue ?? "body") has the wrong type", param: context.codingPath.first?.stringValue)
        } catch let DecodingError.valueNotFound(_, context) {
            throw invalid("\(context.codingPath.first?.stringValue ?? "body") must not be null", param: context.codingPath.first?.stringValue)
        } catch {
            throw invalid("the body must be a JSON object", param: nil)
        }
        guard let model = fields.model, !model.isEmpty, model.utf8.count <= 200 else {
            throw invalid("model is required", param: "model")
        }
        guard let messages = fields.messages else { throw invalid("messages is required and must be an array", param: "messages") }
        guard !messages.isEmpty else { throw invalid("messages must hold at least one message", param: "messages") }
        let request = PassthroughRequest(
            model: model,
            stream: fields.stream ?? false,
            clientWantsUsage: fields.stream_options?.include_usage == true,
            messageCount: messages.count
        )
        return (request, fields.stream_options != nil)
    }

    /// The body with `stream_options.include_usage` set, so every stream reports its usage.
    /// Without `stream_options` the member is appended in place; otherwise the object is rewritten.
    static func requestingUsage(_ body: ByteBuffer, hasStreamOptions: Bool) throws -> ByteBuffer {
        let view = body.readableBytesView
        if !hasStreamOptions, let close = view.lastIndex(of: UInt8(ascii: "}")) {
            var result = ByteBuffer()
            result.reserveCapacity(body.readableBytes + 40)
            result.writeBytes(view[view.startIndex..<close])
            result.writeStaticString(#","stream_options":{"include_usage":true}}"#)
            return result
        }
        guard var object = try JSONSerialization.jsonObject(with: Data(view)) as? [String: Any] else {
            throw invalid("the body must be a JSON object", param: nil)
        }
        var options = object["stream_options"] as? [String: Any] ?? [:]
        options["include_usage"] = true
        object["stream_options"] = options
        return ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }

    private static func invalid(_ message: String, param: String?) -> GatewayError {
        var error = GatewayError.invalidRequest(en: message, zh: message)
        error.param = param
        return error
    }
}

/// Finds usage in a chunk or a completion without a JSON decoder (LLMClient's `Usage.reported`
/// reads only what it needs), and on streams only in events that mention a usage object.
enum UsageSniffer {
    /// The usage an event reports, and whether it is the usage-only chunk (no choices).
    static func usage(inEvent data: String) -> (usage: Usage, usageOnly: Bool)? {
        var data = data
        return data.withUTF8 { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            guard hasUsageObject(raw), let reported = Usage.reported(in: raw) else { return nil }
            return (reported.usage, reported.choicesEmpty)
        }
    }

    /// The usage a whole completion body reports.
    static func usage(inBody body: ByteBuffer) -> Usage? {
        body.withUnsafeReadableBytes { Usage.reported(in: $0)?.usage }
    }

    /// Whether `"usage"` stands followed by `:` and an object (not `null`): a byte search, as
    /// it runs on every event of every stream.
    static func hasUsageObject(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let needle: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0x22, 0x75, 0x73, 0x61, 0x67, 0x65, 0x22)
        let length = 7
        var index = 0
        while index + length <= bytes.count {
            defer { index += 1 }
            guard bytes[index] == needle.0, bytes[index + 1] == needle.1, bytes[index + 2] == needle.2,
                bytes[index + 3] == needle.3, bytes[index + 4] == needle.4, bytes[index + 5] == needle.5,
                bytes[index + 6] == needle.6
            else { continue }
            var next = index + length
            while next < bytes.count, bytes[next] == UInt8(ascii: " ") || bytes[next] == UInt8(ascii: ":") { next += 1 }
            if next < bytes.count, bytes[next] == UInt8(ascii: "{") { return true }
        }
        return false
    }
}
