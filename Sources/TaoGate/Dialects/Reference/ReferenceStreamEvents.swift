import NIOCore

/// The reference stream's events, written without a JSON encoder per chunk.
enum ReferenceStreamEvents {
    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    static func appendContent(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeStaticString("data: {\"content\":")
        JSONText.writeString(text, to: &buffer)
        buffer.writeStaticString("}\n\n")
    }
}
