import LLMClient
import NIOCore

/// Finds the usage of an Anthropic message or stream event with a scanner, without decoding
/// the content around it.
enum MessagesUsageSniffer {
    /// The top-level `usage` of a whole message.
    static func usage(inMessage body: ByteBuffer) -> MessagesUsage? {
        body.withUnsafeReadableBytes { raw in
            var scanner = JSONScanner(bytes: raw.assumingMemoryBound(to: UInt8.self))
            return scanner.usageMember(nested: nil)
        }
    }

    /// The usage of `message_start` (inside its `message`) or `message_delta` (top level).
    static func usage(inEvent data: ByteBuffer, name: String) -> MessagesUsage? {
        data.withUnsafeReadableBytes { raw in
            var scanner = JSONScanner(bytes: raw.assumingMemoryBound(to: UInt8.self))
            return scanner.usageMember(nested: name == "message_start" ? "message" : nil)
        }
    }
}

extension JSONScanner {
    /// The `usage` member of this object, or of its member `nested`; nil when there is none or
    /// the text is not of the usual shape.
    fileprivate mutating func usageMember(nested: StaticString?) -> MessagesUsage? {
        var usage: MessagesUsage?
        guard scanUsage(nested: nested, into: &usage), isAtEnd() else { return nil }
        return usage
    }

    /// Reads one object, keeping the usage found; false when the text is not an object.
    private mutating func scanUsage(nested: StaticString?, into usage: inout MessagesUsage?) -> Bool {
        members { scanner, key in
            if let nested {
                return key == nested ? scanner.scanUsage(nested: nil, into: &usage) : scanner.skipValue(depth: 1)
            }
            guard key == "usage" else { return scanner.skipValue(depth: 2) }
            if scanner.null() { return true }
            var found = MessagesUsage()
            let read = scanner.members { scanner, key in
                let target: WritableKeyPath<MessagesUsage, Int?>
                switch key {
                case "input_tokens": target = \.inputTokens
                case "output_tokens": target = \.outputTokens
                case "cache_read_input_tokens": target = \.cacheReadInputTokens
                case "cache_creation_input_tokens": target = \.cacheCreationInputTokens
                default: return scanner.skipValue(depth: 3)
                }
                if scanner.null() { return true }
                guard let value = scanner.integer() else { return false }
                found[keyPath: target] = value
                return true
            }
            if read { usage = found }
            return read
        }
    }
}
