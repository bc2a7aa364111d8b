import Foundation
import NIOCore

/// The one change TaoGate makes to a native `/v1/chat/completions` stream body.
enum ChatBodyRewrite {
    /// The body with `stream_options.include_usage` set, so every stream reports its usage.
    /// Without `stream_options` the member is appended in place; otherwise the object is rewritten.
    static func requestingUsage(_ body: ByteBuffer, hasStreamOptions: Bool) throws -> ByteBuffer {
        let view = body.readableBytesView
        if !hasStreamOptions, let close = view.lastIndex(of: UInt8(ascii: "}")) {
            var result = ByteBuffer()
            result.reserveCapacity(body.readableBytes + 40)
            result.writeBytes(view[view.startIndex..<close])
            let isEmpty = !view[view.startIndex..<close].contains { $0 != UInt8(ascii: "{") && $0 > 0x20 }
            result.writeString(isEmpty ? #""stream_options":{"include_usage":true}}"# : #","stream_options":{"include_usage":true}}"#)
            return result
        }
        guard var object = try JSONSerialization.jsonObject(with: Data(view)) as? [String: Any] else {
            throw InboundBody.invalid("the body must be a JSON object")
        }
        var options = object["stream_options"] as? [String: Any] ?? [:]
        options["include_usage"] = true
        object["stream_options"] = options
        return ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }
}
