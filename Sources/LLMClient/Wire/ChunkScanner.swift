extension Usage {
    /// What the top-level `usage` object of a completion or a chunk reports, read without
    /// decoding the rest, and whether its `choices` were empty (a stream's usage-only chunk).
    /// Nil when there is no usage object (or it is `null`), or the text is not of the usual shape.
    public static func reported(in bytes: UnsafeRawBufferPointer) -> (usage: Usage, choicesEmpty: Bool)? {
        var scanner = ChunkScanner(bytes: bytes.assumingMemoryBound(to: UInt8.self))
        return scanner.reportedUsage()
    }
}

extension ChatCompletionChunk {
    /// Reads a chunk of the usual shape straight from its JSON text, many times faster than
    /// `JSONDecoder` (which a stream would otherwise run on every event).
    ///
    /// The result is what decoding gives: unknown members are skipped at any depth, as `Codable`
    /// skips them. Anything outside the usual shape (more than one choice, a fractional number,
    /// invalid text) gives nil, and the caller decodes the event instead.
    public static func scanned(from text: String) -> ChatCompletionChunk? {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = ChunkScanner(bytes: bytes)
            return scanner.chunk()
        }
    }
}

/// A forward-only reader of one JSON chunk or completion. Every method returns nil (or false) at the first
/// byte it does not expect, and the whole scan then gives up.
private struct ChunkScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    private static let maximumDepth = 32

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func chunk() -> ChatCompletionChunk? {
        var id = ""
        var object = "chat.completion.chunk"
        var created = 0
        var model = ""
        var choices: [ChatCompletionChunk.Choice] = []
        var usage: Usage?
        let read = members { scanner, key in
            switch key {
            case "id": return scanner.string().map { id = $0 } != nil
            case "object": return scanner.string().map { object = $0 } != nil
            case "model": return scanner.string().map { model = $0 } != nil
            case "created": return scanner.integer().map { created = $0 } != nil
            case "choices":
                guard let list = scanner.choices() else { return false }
                choices = list
                return true
            case "usage": return scanner.optionalUsage().map { usage = $0 } != nil
            default: return scanner.skipValue(depth: 1)
            }
        }
        skipWhitespace()
        guard read, index == bytes.count else { return nil }
        var chunk = ChatCompletionChunk(id: id, created: created, model: model, choices: choices, usage: usage)
        chunk.object = object
        return chunk
    }

    /// The top-level `usage` of a completion or chunk, and whether its `choices` were empty.
    mutating func reportedUsage() -> (usage: Usage, choicesEmpty: Bool)? {
        var usage: Usage?
        var choicesEmpty = true
        let read = members { scanner, key in
            switch key {
            case "usage": return scanner.optionalUsage().map { usage = $0 } != nil
            case "choices":
                if scanner.null() { return true }
                guard let count = scanner.arrayCount(depth: 1) else { return false }
                choicesEmpty = count == 0
                return true
            default: return scanner.skipValue(depth: 1)
            }
        }
        skipWhitespace()
        guard read, index == bytes.count, let usage else { return nil }
        return (usage, choicesEmpty)
    }

    /// A usage object or `null` (as nil inside the outer optional).
    private mutating func optionalUsage() -> Usage?? {
        if null() { return .some(nil) }
        var prompt = 0
        var completion = 0
        var total: Int?
        let read = members { scanner, key in
            switch key {
            case "prompt_tokens": return scanner.integer().map { prompt = $0 } != nil
            case "completion_tokens": return scanner.integer().map { completion = $0 } != nil
            case "total_tokens": return scanner.integer().map { total = $0 } != nil
            default: return scanner.skipValue(depth: 2)
            }
        }
        return read ? .some(Usage(promptTokens: prompt, completionTokens: completion, totalTokens: total)) : nil
    }

    /// `[]` or `[ choice ]`: a single choice at most.
    private mutating func choices() -> [ChatCompletionChunk.Choice]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return [] }
        guard let choice = choice() else { return nil }
        skipWhitespace()
        guard consume(UInt8(ascii: "]")) else { return nil }
        return [choice]
    }

    private mutating func choice() -> ChatCompletionChunk.Choice? {
        var index = 0
        var delta = ChatCompletionChunk.Delta()
        var finishReason: String?
        let read = members { scanner, key in
            switch key {
            case "index": return scanner.integer().map { index = $0 } != nil
            case "finish_reason": return scanner.optionalString().map { finishReason = $0 } != nil
            case "delta":
                guard let value = scanner.delta() else { return false }
                delta = value
                return true
            default: return scanner.skipValue(depth: 3)
            }
        }
        return read ? ChatCompletionChunk.Choice(index: index, delta: delta, finishReason: finishReason) : nil
    }

    private mutating func delta() -> ChatCompletionChunk.Delta? {
        var delta = ChatCompletionChunk.Delta()
        let read = members { scanner, key in
            switch key {
            case "role": return scanner.optionalString().map { delta.role = $0 } != nil
            case "content": return scanner.optionalString().map { delta.content = $0 } != nil
            default: return scanner.skipValue(depth: 4)
            }
        }
        return read ? delta : nil
    }

    // MARK: - JSON pieces

    /// An object's members, each value read by `member` (which must consume it).
    private mutating func members(_ member: (inout ChunkScanner, String) -> Bool) -> Bool {
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard let key = string() else { return false }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { return false }
            skipWhitespace()
            guard member(&self, key) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    /// A string or `null` (as nil inside the outer optional).
    private mutating func optionalString() -> String?? {
        if null() { return .some(nil) }
        return string().map { .some($0) }
    }

    private mutating func null() -> Bool {
        literal("null")
    }

    /// A string without escapes is taken as it stands; one with escapes is decoded here.
    private mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                index = start
                return escapedString()
            }
            if byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    private mutating func escapedString() -> String? {
        var utf8: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    utf8.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            case 0..<0x20:
                return nil
            default:
                utf8.append(byte)
            }
        }
        return nil
    }

    /// The scalar of `\uXXXX`, or of a surrogate pair `\uD83D\uDE00`.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let first = hexQuad() else { return nil }
        if (0xD800..<0xDC00).contains(first) {
            guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")), let second = hexQuad(),
                (0xDC00..<0xE000).contains(second)
            else { return nil }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        }
        return Unicode.Scalar(first)
    }

    private mutating func hexQuad() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// A whole number (no fraction or exponent, at most 18 digits).
    private mutating func integer() -> Int? {
        let negative = consume(UInt8(ascii: "-"))
        var value = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            digits += 1
            index += 1
        }
        guard digits > 0, digits <= 18 else { return nil }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { return nil }
        return negative ? -value : value
    }

    /// Any JSON value, checked only as far as needed to find where it ends.
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < Self.maximumDepth, index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return skipString()
        case UInt8(ascii: "{"):
            return members { scanner, _ in scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            return arrayCount(depth: depth) != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default:
            let start = index
            while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
            return index > start
        }
    }

    /// How many values an array holds, each checked only as far as `skipValue` does.
    private mutating func arrayCount(depth: Int) -> Int? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return 0 }
        var count = 0
        while true {
            skipWhitespace()
            guard skipValue(depth: depth + 1) else { return nil }
            count += 1
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]")) ? count : nil
        }
    }

    private mutating func skipString() -> Bool {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return true }
            if byte == UInt8(ascii: "\\") { index += 1 }
        }
        return false
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count else { return false }
        for offset in 0..<length where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += length
        return true
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
