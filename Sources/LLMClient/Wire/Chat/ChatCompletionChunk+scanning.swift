import NIOCore

extension Usage {
    /// What the top-level `usage` object of a completion or a chunk reports, read without
    /// decoding the rest, and whether its `choices` were empty (a stream's usage-only chunk).
    /// Nil when there is no usage object (or it is `null`), or the text is not of the usual shape.
    package static func reported(in bytes: UnsafeRawBufferPointer) -> (usage: Usage, choicesEmpty: Bool)? {
        var scanner = JSONScanner(bytes: bytes.assumingMemoryBound(to: UInt8.self))
        var usage: Usage?
        var choicesEmpty = true
        let read = scanner.members { scanner, key in
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
        guard read, scanner.isAtEnd(), let usage else { return nil }
        return (usage, choicesEmpty)
    }
}

extension ChatCompletionChunk {
    /// Reads a chunk of the usual shape straight from its JSON text, many times faster than
    /// `JSONDecoder` (which a stream would otherwise run on every event).
    ///
    /// The result is what decoding gives: unknown members are skipped at any depth, as `Codable`
    /// skips them. Anything outside the usual shape (more than one choice, a fractional number,
    /// invalid text) gives nil, and the caller decodes the event instead.
    package static func scanned(from text: String) -> ChatCompletionChunk? {
        scanned(from: ByteBuffer(string: text))
    }

    package static func scanned(from bytes: ByteBuffer) -> ChatCompletionChunk? {
        bytes.withUnsafeReadableBytes { raw in
            var scanner = JSONScanner(bytes: raw.assumingMemoryBound(to: UInt8.self))
            return scanner.chunk()
        }
    }
}

extension JSONScanner {
    fileprivate mutating func chunk() -> ChatCompletionChunk? {
        var choices: [ChatCompletionChunk.Choice] = []
        let head = completionMembers(object: "chat.completion.chunk") { scanner in
            guard let list = scanner.choices() else { return false }
            choices = list
            return true
        }
        guard let head else { return nil }
        var chunk = ChatCompletionChunk(id: head.id, created: head.created, model: head.model, choices: choices, usage: head.usage)
        chunk.object = head.object
        return chunk
    }

    /// The top-level members a completion and a chunk share, as decoding gives them (absent ones
    /// at their defaults), with `choices` read by `readChoices`; nil unless the text is one object.
    mutating func completionMembers(
        object: String,
        choices readChoices: (inout JSONScanner) -> Bool
    ) -> (id: String, object: String, created: Int, model: String, usage: Usage?)? {
        var head = (id: "", object: object, created: 0, model: "", usage: Usage?.none)
        let read = members { scanner, key in
            switch key {
            case "id": return scanner.string().map { head.id = $0 } != nil
            case "object": return scanner.string().map { head.object = $0 } != nil
            case "model": return scanner.string().map { head.model = $0 } != nil
            case "created": return scanner.integer().map { head.created = $0 } != nil
            case "choices": return readChoices(&scanner)
            case "usage": return scanner.optionalUsage().map { head.usage = $0 } != nil
            default: return scanner.skipValue(depth: 1)
            }
        }
        guard read, isAtEnd() else { return nil }
        return head
    }

    /// A usage object or `null` (as nil inside the outer optional).
    fileprivate mutating func optionalUsage() -> Usage?? {
        if null() { return .some(nil) }
        var prompt = 0
        var completion = 0
        var total: Int?
        var cached: Int?
        var cacheHit: Int?
        var cacheWrite: Int?
        var reasoning: Int?
        let read = members { scanner, key in
            switch key {
            case "prompt_tokens": return scanner.integer().map { prompt = $0 } != nil
            case "completion_tokens": return scanner.integer().map { completion = $0 } != nil
            case "total_tokens": return scanner.integer().map { total = $0 } != nil
            case "prompt_cache_hit_tokens": return scanner.optionalInteger().map { cacheHit = $0 } != nil
            case "prompt_tokens_details":
                if scanner.null() { return true }
                var write: Int?
                var creation: Int?
                let read = scanner.members { scanner, key in
                    switch key {
                    case "cached_tokens": return scanner.optionalInteger().map { cached = $0 } != nil
                    case "cache_write_tokens": return scanner.optionalInteger().map { write = $0 } != nil
                    case "cache_creation_tokens": return scanner.optionalInteger().map { creation = $0 } != nil
                    default: return scanner.skipValue(depth: 3)
                    }
                }
                cacheWrite = write ?? creation
                return read
            case "completion_tokens_details":
                if scanner.null() { return true }
                return scanner.members { scanner, key in
                    key == "reasoning_tokens" ? scanner.optionalInteger().map { reasoning = $0 } != nil : scanner.skipValue(depth: 3)
                }
            default: return scanner.skipValue(depth: 2)
            }
        }
        guard read else { return nil }
        return .some(
            Usage(
                promptTokens: prompt,
                completionTokens: completion,
                totalTokens: total,
                cachedTokens: cached ?? cacheHit,
                cacheWriteTokens: cacheWrite,
                reasoningTokens: reasoning
            )
        )
    }

    /// A whole number or `null` (as nil inside the outer optional).
    fileprivate mutating func optionalInteger() -> Int?? {
        if null() { return .some(nil) }
        return integer().map { .some($0) }
    }

    /// `[]` or `[ choice ]`: a single choice at most.
    private mutating func choices() -> [ChatCompletionChunk.Choice]? {
        var choices: [ChatCompletionChunk.Choice] = []
        let read = elements { scanner in
            guard choices.isEmpty, let choice = scanner.choice() else { return false }
            choices.append(choice)
            return true
        }
        return read ? choices : nil
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
        var reasoning: String?
        let read = members { scanner, key in
            switch key {
            case "role": return scanner.optionalString().map { delta.role = $0 } != nil
            case "content": return scanner.optionalString().map { delta.content = $0 } != nil
            case "reasoning_content": return scanner.optionalString().map { delta.reasoningContent = $0 } != nil
            // Only a string (or null) is taken; anything else is left to the decoder.
            case "reasoning": return scanner.optionalString().map { reasoning = $0 } != nil
            case "tool_calls":
                if scanner.null() { return true }
                var calls: [ChatCompletionChunk.ToolCallDelta] = []
                let read = scanner.elements { scanner in
                    guard let call = scanner.toolCallDelta() else { return false }
                    calls.append(call)
                    return true
                }
                delta.toolCalls = calls
                return read
            default: return scanner.skipValue(depth: 4)
            }
        }
        if delta.reasoningContent == nil { delta.reasoningContent = reasoning }
        return read ? delta : nil
    }

    private mutating func toolCallDelta() -> ChatCompletionChunk.ToolCallDelta? {
        var call = ChatCompletionChunk.ToolCallDelta(index: 0)
        let read = members { scanner, key in
            switch key {
            case "index": return scanner.integer().map { call.index = $0 } != nil
            case "id": return scanner.optionalString().map { call.id = $0 } != nil
            case "type": return scanner.optionalString().map { call.type = $0 } != nil
            case "function":
                if scanner.null() { return true }
                var function = ChatCompletionChunk.ToolCallDelta.Function()
                let read = scanner.members { scanner, key in
                    switch key {
                    case "name": return scanner.optionalString().map { function.name = $0 } != nil
                    case "arguments": return scanner.optionalString().map { function.arguments = $0 } != nil
                    default: return scanner.skipValue(depth: 7)
                    }
                }
                call.function = function
                return read
            default: return scanner.skipValue(depth: 6)
            }
        }
        return read ? call : nil
    }
}
