import LLMClient
import NIOCore

/// Stream framing for native chat streams: events are relayed as they came, never re-encoded.
enum OpenAIStreamEvents {
    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    static func append(_ event: ServerSentEvent, to buffer: inout ByteBuffer) {
        if let name = event.event {
            buffer.writeStaticString("event: ")
            buffer.writeString(name)
            buffer.writeStaticString("\n")
        }
        // A multi-line data field goes back out as several data lines. Scanned as bytes: a
        // split by Character would segment graphemes, many times the cost of the copy.
        var data = event.data
        data.withUTF8 { bytes in
            var lineStart = 0
            for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
                buffer.writeStaticString("data: ")
                buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[lineStart..<index]))
                buffer.writeStaticString("\n")
                lineStart = index + 1
            }
            buffer.writeStaticString("data: ")
            buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[lineStart...]))
            buffer.writeStaticString("\n\n")
        }
    }
}
