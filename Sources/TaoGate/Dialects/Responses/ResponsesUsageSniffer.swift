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
    /// else the `type` its data begins with (`{"type":"…"`, as the API writes it). Read as bytes,
    /// since every event of every stream passes here: `String` comparison would break graphemes.
    static func kind(of event: ServerSentEvent) -> EventKind {
        if let name = event.event, name.utf8.starts(with: "response.".utf8) { return kind(ofType: name.utf8) }
        let prefix = "{\"type\":\"".utf8
        let data = event.dataBytes.readableBytesView
        guard data.starts(with: prefix) else { return .other }
        let start = data.index(data.startIndex, offsetBy: prefix.count)
        guard let end = data[start...].firstIndex(of: UInt8(ascii: "\"")) else { return .other }
        return kind(ofType: data[start..<end])
    }

    /// Deltas first: nearly every event of a stream is one.
    private static func kind<Bytes: BidirectionalCollection<UInt8>>(ofType type: Bytes) -> EventKind {
        if type.reversed().starts(with: ".delta".utf8.reversed()) { return .delta }
        if type.elementsEqual("response.completed".utf8) || type.elementsEqual("response.incomplete".utf8)
            || type.elementsEqual("response.failed".utf8)
        {
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

    fileprivate mutating func responsesUsage(nestedIn nested: String?) -> TokenUsage? {
        var usage: TokenUsage?
        guard scanUsage(nestedIn: nested, into: &usage), isAtEnd() else { return nil }
        return usage
    }

    private mutating func scanUsage(nestedIn nested: String?, into usage: inout TokenUsage?) -> Bool {
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
