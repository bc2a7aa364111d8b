import LLMClient
import NIOCore

/// What the gateway reads of a client's JSON body before routing it, in one pass of a scanner
/// (no decoder): the model, whether it streams, whether it asks for usage, how many messages it
/// holds, its token limit, and its top-level member names.
///
/// A body holding a member twice (at the top level, or in `stream_options`) is refused: a
/// decoder keeps the first `"stream"` or `"model"`, most upstreams the last, and the gateway and
/// the upstream must read the same request. The body must be valid UTF-8.
struct InboundBody: Sendable {
    var model: String?
    var stream = false
    /// `stream_options` is present.
    var hasStreamOptions = false
    /// `stream_options.include_usage` is true.
    var includeUsage = false
    /// How many `messages` (nil when absent).
    var messageCount: Int?
    /// `input` is present (the Responses API's), as a string or items.
    var hasInput = false
    /// `previous_response_id`, when a string.
    var previousResponseID: String?
    /// `store` (the Responses API's; true when absent).
    var store = true
    /// `max_tokens`, `max_completion_tokens` or `max_output_tokens`, when a whole number.
    var maxTokens: Int?
    /// The top-level member names, in order.
    var keys: [String] = []

    /// How deep a body may nest.
    static let maximumDepth = 256

    static func scan(_ body: ByteBuffer) throws -> InboundBody {
        try body.withUnsafeReadableBytes { raw in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            guard isValidUTF8(bytes) else { throw invalid("the body is not valid UTF-8", zh: "请求体不是有效的 UTF-8") }
            var scanner = JSONScanner(bytes: bytes, maximumDepth: maximumDepth)
            var fields = InboundBody()
            var seen = MemberNames()
            var problem: GatewayError?
            let read = scanner.members { scanner, key in
                let name = key.description
                guard seen.insert(name) else {
                    problem = invalid(
                        "the body holds the member `\(name)` more than once",
                        zh: "请求体中的成员 `\(name)` 出现了不止一次",
                        param: name
                    )
                    return false
                }
                switch key {
                case "model":
                    if scanner.null() { return true }
                    guard let model = scanner.string() else {
                        problem = invalid("model must be a string", param: "model")
                        return false
                    }
                    fields.model = model
                    return true
                case "stream":
                    if scanner.null() { return true }
                    guard let stream = scanner.bool() else {
                        problem = invalid("stream must be true or false", param: "stream")
                        return false
                    }
                    fields.stream = stream
                    return true
                case "stream_options":
                    if scanner.null() { return true }
                    fields.hasStreamOptions = true
                    var inner = MemberNames()
                    return scanner.members { scanner, key in
                        guard inner.insert(key.description) else {
                            problem = invalid("stream_options holds the member `\(key)` more than once", param: "stream_options")
                            return false
                        }
                        guard key == "include_usage" else { return scanner.skipValue(depth: 2) }
                        if scanner.null() { return true }
                        guard let include = scanner.bool() else {
                            problem = invalid("stream_options.include_usage must be true or false", param: "stream_options")
                            return false
                        }
                        fields.includeUsage = include
                        return true
                    }
                case "messages":
                    if scanner.null() { return true }
                    guard let count = scanner.arrayCount(depth: 1) else {
                        problem = problem ?? invalid("messages must be an array", param: "messages")
                        return false
                    }
                    fields.messageCount = count
                    return true
                case "previous_response_id":
                    if scanner.null() { return true }
                    guard let id = scanner.string() else {
                        problem = invalid("previous_response_id must be a string", param: "previous_response_id")
                        return false
                    }
                    fields.previousResponseID = id
                    return true
                case "store":
                    if scanner.null() { return true }
                    guard let store = scanner.bool() else {
                        problem = invalid("store must be true or false", param: "store")
                        return false
                    }
                    fields.store = store
                    return true
                case "input":
                    fields.hasInput = !scanner.null()
                    return fields.hasInput ? scanner.skipValue(depth: 1) : true
                case "max_tokens", "max_completion_tokens", "max_output_tokens":
                    let start = scanner.index
                    if let value = scanner.integer() {
                        fields.maxTokens = value
                        return true
                    }
                    scanner.index = start
                    return scanner.skipValue(depth: 1)
                default:
                    return scanner.skipValue(depth: 1)
                }
            }
            if let problem { throw problem }
            guard read, scanner.isAtEnd() else { throw invalid("the body must be a JSON object", zh: "请求体必须是 JSON 对象") }
            fields.keys = seen.inOrder
            return fields
        }
    }

    /// The model, checked: a non-empty string of at most 200 bytes without control characters
    /// (a NUL in a model name would reach logs, metrics and the usage rows).
    func validModel() throws -> String {
        guard let model, ModelName.isValid(model) else {
            throw Self.invalid("model is required: a non-empty string of at most 200 characters, without control characters", param: "model")
        }
        return model
    }

    /// Messages, checked: present, an array, and not empty.
    func validMessageCount(max: Int) throws -> Int {
        guard let count = messageCount else { throw Self.invalid("messages is required and must be an array", param: "messages") }
        guard count > 0 else { throw Self.invalid("messages must hold at least one message", param: "messages") }
        guard count <= max else { throw Self.invalid("messages may hold at most \(max) messages", param: "messages") }
        return count
    }

    static func invalid(_ message: String, zh: String? = nil, param: String? = nil) -> GatewayError {
        var error = GatewayError.invalidRequest(en: message, zh: zh ?? message)
        error.param = param
        return error
    }

    /// Whether `bytes` are UTF-8 as RFC 3629 has it (no overlong forms, no surrogates, nothing
    /// past U+10FFFF). ASCII is passed eight bytes at a time, and nothing is copied: a byte loop
    /// and then `String(validating:)` were an eighth of the CPU of a request with a 137 KB body.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index < bytes.count {
            if index + 8 <= bytes.count, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index += 8
                continue
            }
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            // The sequence's length, and the range its second byte must fall in.
            let length: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: (length, second) = (3, 0xA0...0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: (length, second) = (3, 0x80...0x9F)
            case 0xF0: (length, second) = (4, 0x90...0xBF)
            case 0xF1...0xF3: length = 4
            case 0xF4: (length, second) = (4, 0x80...0x8F)
            default: return false
            }
            guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }
}

/// An object's member names so far, in order, for finding one given twice: a short list is
/// searched (a body has a handful of members, and a set would cost an allocation and a hash per
/// name), a long one is also kept in a set, so that a body of many members stays linear.
private struct MemberNames {
    private(set) var inOrder: [String]
    /// Every name, once there are `searchedUpTo` of them.
    private var set: Set<String> = []
    private static let searchedUpTo = 16

    init() {
        inOrder = []
        inOrder.reserveCapacity(8)  // one allocation for a usual body, not one per doubling
    }

    /// False when `name` was already there.
    mutating func insert(_ name: String) -> Bool {
        if inOrder.count < Self.searchedUpTo {
            guard !inOrder.contains(name) else { return false }
        } else {
            if set.isEmpty { set = Set(inOrder) }
            guard set.insert(name).inserted else { return false }
        }
        inOrder.append(name)
        return true
    }
}
