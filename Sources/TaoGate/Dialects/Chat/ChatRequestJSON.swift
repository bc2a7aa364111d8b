import LLMClient
import NIOCore

/// A translated chat request's body, written by hand when it has the usual shape: text
/// messages, no tools, no response format (`/api/chat` and most translated calls). Through
/// `JSONEncoder` it was a twentieth of an `/api/chat` call's CPU. Anything else is left to
/// `JSONEncoder` (`nil`). The members are the ones `JSONEncoder` writes, in another order.
enum ChatRequestJSON {
    static func written(_ request: ChatCompletionRequest) -> ByteBuffer? {
        guard request.tools == nil, request.toolChoice == nil, request.parallelToolCalls == nil, request.responseFormat == nil else {
            return nil
        }
        var body = ByteBuffer()
        body.writeStaticString(#"{"model":"#)
        JSONText.writeString(request.model, to: &body)
        body.writeStaticString(#","messages":["#)
        for (index, message) in request.messages.enumerated() {
            guard message.toolCalls == nil else { return nil }
            if index > 0 { body.writeStaticString(",") }
            body.writeStaticString(#"{"role":"#)
            JSONText.writeString(message.role, to: &body)
            body.writeStaticString(#","content":"#)
            switch message.content {
            case .text(let text): JSONText.writeString(text, to: &body)
            case nil: body.writeStaticString(#""""#)
            case .parts: return nil
            }
            if let name = message.name { member("name", name, to: &body) }
            if let id = message.toolCallID { member("tool_call_id", id, to: &body) }
            if let reasoning = message.reasoningContent { member("reasoning_content", reasoning, to: &body) }
            body.writeStaticString("}")
        }
        body.writeStaticString("]")
        if let temperature = request.temperature {
            guard temperature.isFinite else { return nil }
            number("temperature", "\(temperature)", to: &body)
        }
        if let topP = request.topP {
            guard topP.isFinite else { return nil }
            number("top_p", "\(topP)", to: &body)
        }
        if let maxTokens = request.maxTokens { number("max_tokens", String(maxTokens), to: &body) }
        if let maxCompletionTokens = request.maxCompletionTokens { number("max_completion_tokens", String(maxCompletionTokens), to: &body) }
        if let stop = request.stop {
            body.writeStaticString(#","stop":["#)
            for (index, word) in stop.enumerated() {
                if index > 0 { body.writeStaticString(",") }
                JSONText.writeString(word, to: &body)
            }
            body.writeStaticString("]")
        }
        if let stream = request.stream { number("stream", stream ? "true" : "false", to: &body) }
        if let options = request.streamOptions {
            body.writeStaticString(options.includeUsage ? #","stream_options":{"include_usage":true}"# : #","stream_options":{"include_usage":false}"#)
        }
        if let effort = request.reasoningEffort { member("reasoning_effort", effort, to: &body) }
        if let user = request.user { member("user", user, to: &body) }
        body.writeStaticString("}")
        return body
    }

    /// `,"key":"value"`
    private static func member(_ key: StaticString, _ value: String, to body: inout ByteBuffer) {
        body.writeStaticString(",\"")
        body.writeStaticString(key)
        body.writeStaticString("\":")
        JSONText.writeString(value, to: &body)
    }

    /// `,"key":value` for a number or a literal.
    private static func number(_ key: StaticString, _ value: String, to body: inout ByteBuffer) {
        body.writeStaticString(",\"")
        body.writeStaticString(key)
        body.writeStaticString("\":")
        body.writeString(value)
    }
}
