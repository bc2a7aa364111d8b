import LLMClient
import NIOCore

/// Finds the usage of a Responses answer or of its final stream event with a scanner, without
/// decoding the output around it.
enum ResponsesUsageSniffer {
    /// The top-level `usage` of a response object.
    static func usage(inResponse body: ByteBuffer) -> TokenUsage? {
        body.withUnsafeReadableBytes { raw in
            var scanner = JSONScanner(bytes: raw.assumingMemoryBound(to: UInt8.self))
            return scanner.responsesUsage(nestedIn: nil)
        }
    }

    /// The usage of `response.completed` / `.incomplete` / `.failed` (inside its `response`).
    static func usage(inEvent data: ByteBuffer) -> TokenUsage? {
        data.withUnsafeReadableBytes { raw in
            var scanner = JSONScanner(bytes: raw.assumingMemoryBound(to: UInt8.self))
            return scanner.responsesUsage(nestedIn: "response")
        }
    }

    /// The `id` of a response object.
    static func responseID(inResponse body: ByteBuffer) -> String? {
        body.withUnsafeReadableBytes { raw in
            var scanner = JSONScanner(bytes: raw.assumingMemoryBound(to: UInt8.self))
            var id: String?
            return scanner.objectID(into: &id) ? id : nil
        }
    }

    /// The response id and sequence number of a stream event (`response.id` is in the events
    /// that carry the response: created, in_progress and the final ones).
    static func identity(ofEvent data: ByteBuffer) -> (responseID: String?, sequenceNumber: Int?) {
        data.withUnsafeReadableBytes { raw in
            var scanner = JSONScanner(bytes: raw.assumingMemoryBound(to: UInt8.self))
            var id: String?
            var sequence: Int?
            _ = scanner.members { scanner, key in
                switch key {
                case "sequence_number":
                    sequence = scanner.integer()
                    return sequence != nil
                case "response":
                    return scanner.objectID(into: &id)
                default:
                    return scanner.skipValue(depth: 1)
                }
            }
            return (id, sequence)
        }
    }

    /// What a stream event is to the relay.
    enum EventKind {
        /// `response.completed`, `.incomplete` or `.failed`: the response ends with it.
        case final
        /// A piece of the output (`response.output_text.delta` and the like).
        case delta
        case other
    }

    /// The kind of an event, from its type: its name when it is one of the API's (`response.…`),
    /// else the `type` its data begins with (`{"type":"…"`, as the API writes it). Read as bytes
    /// (compared with `memcmp`), since every event of every stream passes here: `String`
    /// comparison would break graphemes, and a generic loop over a String's UTF-8 was a percent
    /// and a half of a stream.
    static func kind(of event: ServerSentEvent) -> EventKind {
        if var name = event.event {
            if let kind = name.withUTF8({ name in
                let name = UnsafeRawBufferPointer(name)
                return name.starts(with: "response.") ? kind(ofType: name) : nil
            }) {
                return kind
            }
        }
        return event.dataBytes.withUnsafeReadableBytes { data in
            let prefix: StaticString = #"{"type":""#
            guard data.starts(with: prefix) else { return .other }
            let rest = UnsafeRawBufferPointer(rebasing: data[prefix.utf8CodeUnitCount...])
            guard let end = rest.firstIndex(of: UInt8(ascii: "\"")) else { return .other }
            return kind(ofType: UnsafeRawBufferPointer(rebasing: rest[..<end]))
        }
    }

    /// Deltas first: nearly every event of a stream is one.
    private static func kind(ofType type: UnsafeRawBufferPointer) -> EventKind {
        if type.ends(with: ".delta") { return .delta }
        if type.equals("response.completed") || type.equals("response.incomplete") || type.equals("response.failed") {
            return .final
        }
        return .other
    }
}

extension JSONScanner {
    /// Reads the object at the scanner, keeping its string `id` member.
    fileprivate mutating func objectID(into id: inout String?) -> Bool {
        members { scanner, key in
            guard key == "id", scanner.nextIsString else { return scanner.skipValue(depth: 2) }
            id = scanner.string()
            return id != nil
        }
    }

    fileprivate mutating func responsesUsage(nestedIn nested: StaticString?) -> TokenUsage? {
        var usage: TokenUsage?
        guard scanUsage(nestedIn: nested, into: &usage), isAtEnd() else { return nil }
        return usage
    }

    private mutating func scanUsage(nestedIn nested: StaticString?, into usage: inout TokenUsage?) -> Bool {
        members { scanner, key in
            if let nested {
                return key == nested ? scanner.scanUsage(nestedIn: nil, into: &usage) : scanner.skipValue(depth: 1)
            }
            guard key == "usage" else { return scanner.skipValue(depth: 2) }
            if scanner.null() { return true }
            var counts = TokenUsage(inputTokens: 0, outputTokens: 0)
            let read = scanner.members { scanner, key in
                switch key {
                case "input_tokens": return scanner.integer().map { counts.inputTokens = $0 } != nil
                case "output_tokens": return scanner.integer().map { counts.outputTokens = $0 } != nil
                case "input_tokens_details":
                    if scanner.null() { return true }
                    return scanner.members { scanner, key in
                        key == "cached_tokens" ? scanner.integer().map { counts.cacheReadTokens = $0 } != nil : scanner.skipValue(depth: 4)
                    }
                case "output_tokens_details":
                    if scanner.null() { return true }
                    return scanner.members { scanner, key in
                        key == "reasoning_tokens" ? scanner.integer().map { counts.reasoningTokens = $0 } != nil : scanner.skipValue(depth: 4)
                    }
                default: return scanner.skipValue(depth: 3)
                }
            }
            if read { usage = counts }
            return read
        }
    }
}
