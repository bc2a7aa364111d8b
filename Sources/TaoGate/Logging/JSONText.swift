import LLMClient
import NIOCore

/// Writes JSON string literals by hand, for the few hot places (log lines, stream events) where
/// running a JSONEncoder per call would cost more than the work itself.
enum JSONText {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes `text` as a quoted, escaped JSON string.
    static func writeString(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        escape(text) { buffer.writeBytes($0) }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// Hands `emit` the bytes of `text` escaped for a JSON string (without its quotes): runs that
    /// need no escaping as they are (found eight bytes at a time), and an escape for each byte
    /// that does.
    static func escape(_ text: String, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            while index < bytes.count {
                index += JSONStringBytes.plainPrefixLength(bytes, from: index)
                guard index < bytes.count else { break }
                let byte = bytes[index]
                index += 1
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index - 1 { emit(UnsafeBufferPointer(rebasing: bytes[runStart..<index - 1])) }
                runStart = index
                switch byte {
                case UInt8(ascii: "\""): emitStatic("\\\"", emit)
                case UInt8(ascii: "\\"): emitStatic("\\\\", emit)
                case UInt8(ascii: "\n"): emitStatic("\\n", emit)
                case UInt8(ascii: "\r"): emitStatic("\\r", emit)
                case UInt8(ascii: "\t"): emitStatic("\\t", emit)
                default:
                    let escaped: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                    escaped.withUnsafeBufferPointer(emit)
                }
            }
            if runStart < bytes.count { emit(UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
    }

    private static func emitStatic(_ text: StaticString, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        text.withUTF8Buffer(emit)
    }
}
