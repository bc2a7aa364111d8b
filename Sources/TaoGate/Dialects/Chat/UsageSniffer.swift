import LLMClient
import NIOCore

/// Finds usage in a chat chunk or completion without a JSON decoder (LLMClient's
/// `Usage.reported` reads only what it needs), and on streams only in events that mention a
/// usage object.
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
