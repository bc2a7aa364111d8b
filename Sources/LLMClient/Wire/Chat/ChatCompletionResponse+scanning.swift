import Foundation
import NIOCore

extension ChatCompletionResponse {
    /// Reads a completion: by a scanner when it has the usual shape (the one a gateway sees on
    /// nearly every call: text choices without tool calls), many times faster than `JSONDecoder`,
    /// and by `JSONDecoder` otherwise. Either way the result is what decoding gives.
    package static func read(from body: ByteBuffer) throws -> ChatCompletionResponse {
        if let scanned = body.withUnsafeReadableBytes({ scanned(from: $0) }) { return scanned }
        return try JSONDecoder().decode(ChatCompletionResponse.self, from: Data(body.readableBytesView))
    }

    /// A completion of the usual shape read straight from its JSON text; nil for anything else
    /// (tool calls, a member of an unexpected type, text that is not JSON).
    package static func scanned(from bytes: UnsafeRawBufferPointer) -> ChatCompletionResponse? {
        var scanner = JSONScanner(bytes: bytes.assumingMemoryBound(to: UInt8.self))
        return scanner.completion()
    }
}

extension JSONScanner {
    fileprivate mutating func completion() -> ChatCompletionResponse? {
        var choices: [ChatCompletionResponse.Choice]?
        let head = completionMembers(object: "chat.completion") { scanner in
            var list: [ChatCompletionResponse.Choice] = []
            let read = scanner.elements { scanner in
                guard let choice = scanner.completionChoice() else { return false }
                list.append(choice)
                return true
            }
            choices = list
            return read
        }
        guard let head, let choices else { return nil }
        var response = ChatCompletionResponse(id: head.id, created: head.created, model: head.model, choices: choices, usage: head.usage)
        response.object = head.object
        return response
    }

    private mutating func completionChoice() -> ChatCompletionResponse.Choice? {
        var index = 0
        var message: ChatCompletionResponse.Message?
        var finishReason: String?
        let read = members { scanner, key in
            switch key {
            case "index": return scanner.integer().map { index = $0 } != nil
            case "finish_reason": return scanner.optionalString().map { finishReason = $0 } != nil
            case "message":
                message = scanner.completionMessage()
                return message != nil
            default: return scanner.skipValue(depth: 3)
            }
        }
        guard read, let message else { return nil }
        return ChatCompletionResponse.Choice(index: index, message: message, finishReason: finishReason)
    }

    /// A message without tool calls (`tool_calls` absent or `null`); anything else is left to
    /// the decoder.
    private mutating func completionMessage() -> ChatCompletionResponse.Message? {
        var role: String?
        var content: String?
        var reasoningContent: String?
        var reasoning: String?
        var refusal: String?
        let read = members { scanner, key in
            switch key {
            case "role": return scanner.optionalString().map { role = $0 } != nil
            case "content": return scanner.optionalString().map { content = $0 } != nil
            case "reasoning_content": return scanner.optionalString().map { reasoningContent = $0 } != nil
            case "reasoning": return scanner.optionalString().map { reasoning = $0 } != nil
            case "refusal": return scanner.optionalString().map { refusal = $0 } != nil
            case "tool_calls": return scanner.null()
            default: return scanner.skipValue(depth: 4)
            }
        }
        guard read else { return nil }
        return ChatCompletionResponse.Message(role: role, content: content, reasoningContent: reasoningContent ?? reasoning, refusal: refusal)
    }
}
