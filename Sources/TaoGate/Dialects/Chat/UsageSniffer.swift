import LLMClient
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds usage in a chat chunk or completion without a JSON decoder (LLMClient's
/// `Usage.reported` reads only what it needs), and on streams only in events that mention a
/// usage object.
enum UsageSniffer {
    /// The usage an event reports, and whether it is the usage-only chunk (no choices).
    static func usage(inEvent data: ByteBuffer) -> (usage: Usage, usageOnly: Bool)? {
        data.withUnsafeReadableBytes { raw in
            guard hasUsageObject(raw), let reported = Usage.reported(in: raw) else { return nil }
            return (reported.usage, reported.choicesEmpty)
        }
    }

    /// The usage a whole completion body reports.
    static func usage(inBody body: ByteBuffer) -> Usage? {
        body.withUnsafeReadableBytes { Usage.reported(in: $0)?.usage }
    }

    /// Whether `"usage"` stands followed by `:` and an object (not `null`). It runs on every
    /// event of every stream, so it looks for the key's least common byte, its `g`, with
    /// `memchr` (many bytes at a time), and compares the key around each one found.
    static func hasUsageObject(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let key = (UInt8(ascii: "\""), UInt8(ascii: "u"), UInt8(ascii: "s"), UInt8(ascii: "a"), UInt8(ascii: "g"), UInt8(ascii: "e"), UInt8(ascii: "\""))
        let gOffset = 4
        var from = gOffset
        while from < bytes.count {
            guard let found = memchr(base + from, Int32(key.4), bytes.count - from) else { return false }
            let g = base.distance(to: UnsafeRawPointer(found))
            from = g + 1
            let start = g - gOffset
            guard start + 7 <= bytes.count, bytes[start] == key.0, bytes[start + 1] == key.1, bytes[start + 2] == key.2,
                bytes[start + 3] == key.3, bytes[start + 5] == key.5, bytes[start + 6] == key.6
            else { continue }
            var next = start + 7
            while next < bytes.count, bytes[next] == UInt8(ascii: " ") || bytes[next] == UInt8(ascii: ":") { next += 1 }
            if next < bytes.count, bytes[next] == UInt8(ascii: "{") { return true }
        }
        return false
    }
}
