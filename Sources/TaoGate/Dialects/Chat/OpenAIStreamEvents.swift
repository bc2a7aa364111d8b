import LLMClient
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Stream framing for native chat streams: events are relayed as they came, never re-encoded.
enum OpenAIStreamEvents {
    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    /// Writes `event` as a client reads it: its own bytes when it came in the usual form (they
    /// are exactly what framing it would write), else framed again from its fields.
    static func append(_ event: ServerSentEvent, to buffer: inout ByteBuffer) {
        if let wire = event.wire {
            buffer.writeImmutableBuffer(wire)
            return
        }
        if let name = event.event {
            buffer.writeStaticString("event: ")
            buffer.writeString(name)
            buffer.writeStaticString("\n")
        }
        // A multi-line data field goes back out as several data lines. Its line breaks are found
        // with `memchr` (a split by Character would segment graphemes, and a byte-by-byte loop
        // cost more than the copy).
        event.dataBytes.withUnsafeReadableBytes { bytes in
            var lineStart = 0
            while lineStart < bytes.count,
                let found = memchr(bytes.baseAddress! + lineStart, Int32(UInt8(ascii: "\n")), bytes.count - lineStart)
            {
                let lineEnd = UnsafeRawPointer(found) - bytes.baseAddress!
                buffer.writeStaticString("data: ")
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd]))
                buffer.writeStaticString("\n")
                lineStart = lineEnd + 1
            }
            buffer.writeStaticString("data: ")
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[lineStart...]))
            buffer.writeStaticString("\n\n")
        }
    }
}
