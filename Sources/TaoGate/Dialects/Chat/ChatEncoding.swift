import Crypto
import Foundation
import LLMClient
import NIOCore

/// The neutral core → chat completions: requests for chat providers, and answers for chat
/// clients whose request went to a provider of another API.
enum ChatEncoding {
    /// The chat request for `request`. Streams ask for `stream_options.include_usage`, so that
    /// every stream reports its tokens.
    static func request(_ request: LLMRequest, model: String, stream: Bool) -> ChatCompletionRequest {
        var messages: [ChatMessage] = []
        if let system = request.system { messages.append(.system(system)) }
        for message in request.messages {
            switch message.role {
            case .system:
                messages.append(.system(message.text))
            case .user:
                messages.append(ChatMessage(role: "user", content: content(message.content)))
            case .assistant:
                messages.append(assistantMessage(message))
            case .tool:
                for case .toolResult(let result) in message.content {
                    messages.append(ChatMessage(role: "tool", content: .text(toolResultText(result)), toolCallID: result.toolCallID))
                }
            }
        }
        return ChatCompletionRequest(
            model: model,
            messages: messages,
            temperature: request.temperature,
            topP: request.topP,
            maxTokens: request.maxTokens,
            stop: request.stopSequences.isEmpty ? nil : request.stopSequences,
            stream: stream ? true : nil,
            streamOptions: stream ? .init(includeUsage: true) : nil,
            tools: request.tools.isEmpty ? nil : request.tools.map(tool),
            toolChoice: request.toolChoice.map(toolChoice),
            parallelToolCalls: request.tools.isEmpty ? nil : request.parallelToolCalls,
            responseFormat: request.responseFormat.map(responseFormat),
            reasoningEffort: request.reasoning?.effectiveEffort,
            user: request.user.map(endUserID)
        )
    }

    /// The end-user id as chat providers take it: as given up to 64 characters; a longer one
    /// (Claude Code's `metadata.user_id` is a JSON document of device and session ids) as a
    /// stable SHA-256 prefix, so the provider can still tell users apart.
    static func endUserID(_ id: String) -> String {
        guard id.utf8.count > 64 else { return id }
        return "u_" + Hexadecimal.string(Array(SHA256.hash(data: Data(id.utf8)).prefix(12)))
    }

    /// Plain text when every part is text, else parts.
    static func content(_ parts: [LLMContent]) -> ChatMessage.Content {
        if parts.allSatisfy({ $0.text != nil }) { return .text(parts.compactMap(\.text).joined()) }
        return .parts(
            parts.compactMap { part in
                switch part {
                case .text(let text): .text(text)
                case .image(let image): .imageURL(url: image.url, detail: nil)
                default: nil
                }
            }
        )
    }

    /// An assistant turn: its text, its tool calls, and its reasoning as `reasoning_content`
    /// (DeepSeek-style providers refuse a tool-call turn whose reasoning is not sent back).
    static func assistantMessage(_ message: LLMMessage) -> ChatMessage {
        var reasoning: [String] = []
        var calls: [ChatToolCall] = []
        for part in message.content {
            switch part {
            case .reasoning(let text, _): reasoning.append(text)
            case .toolCall(let id, let name, let arguments): calls.append(ChatToolCall(id: id, name: name, arguments: arguments))
            default: break
            }
        }
        let text = message.text
        return ChatMessage(
            role: "assistant",
            content: text.isEmpty && !calls.isEmpty ? nil : .text(text),
            toolCalls: calls.isEmpty ? nil : calls,
            reasoningContent: reasoning.isEmpty ? nil : reasoning.joined()
        )
    }

    /// A tool message holds text only: a failed call's result is marked with "Error: ", as chat
    /// has no flag for it.
    static func toolResultText(_ result: LLMToolResult) -> String {
        let text = result.text
        return result.isError && !text.hasPrefix("Error") ? "Error: \(text)" : text
    }

    static func tool(_ tool: LLMTool) -> ChatTool {
        ChatTool(function: .init(name: tool.name, description: tool.description, parameters: tool.parameters))
    }

    static func toolChoice(_ choice: LLMToolChoice) -> ChatToolChoice {
        switch choice {
        case .auto: .mode("auto")
        case .none: .mode("none")
        case .required: .mode("required")
        case .tool(let name): .function(name: name)
        }
    }

    static func responseFormat(_ format: LLMResponseFormat) -> JSONValue {
        switch format {
        case .text: return .object(["type": .string("text")])
        case .jsonObject: return .object(["type": .string("json_object")])
        case .jsonSchema(let name, let schema, let strict):
            var inner: [String: JSONValue] = ["name": .string(name), "schema": schema]
            if let strict { inner["strict"] = .bool(strict) }
            return .object(["type": .string("json_schema"), "json_schema": .object(inner)])
        }
    }

    // MARK: - Answers

    static func response(_ response: LLMResponse, created: Int = Int(Date().timeIntervalSince1970)) -> ChatCompletionResponse {
        var text: [String] = []
        var reasoning: [String] = []
        var calls: [ChatToolCall] = []
        for part in response.content {
            switch part {
            case .text(let value): text.append(value)
            case .reasoning(let value, _): reasoning.append(value)
            case .toolCall(let id, let name, let arguments): calls.append(ChatToolCall(id: id, name: name, arguments: arguments))
            default: break
            }
        }
        let message = ChatCompletionResponse.Message(
            content: text.isEmpty && !calls.isEmpty ? nil : text.joined(),
            toolCalls: calls.isEmpty ? nil : calls,
            reasoningContent: reasoning.isEmpty ? nil : reasoning.joined()
        )
        return ChatCompletionResponse(
            id: chatID(response.id),
            created: created,
            model: response.model,
            choices: [.init(index: 0, message: message, finishReason: finishReason(response.finishReason))],
            usage: response.usage.map(usage)
        )
    }

    static func finishReason(_ reason: LLMFinishReason) -> String {
        switch reason {
        case .stop, .stopSequence: "stop"
        case .length: "length"
        case .toolCalls: "tool_calls"
        case .contentFilter: "content_filter"
        }
    }

    static func usage(_ usage: TokenUsage) -> Usage {
        Usage(
            promptTokens: usage.inputTokens,
            completionTokens: usage.outputTokens,
            cachedTokens: usage.cacheReadTokens,
            cacheWriteTokens: usage.cacheWriteTokens > 0 ? usage.cacheWriteTokens : nil,
            reasoningTokens: usage.reasoningTokens > 0 ? usage.reasoningTokens : nil
        )
    }

    /// A chat completion id for an answer from another API (`msg_…` becomes `chatcmpl-msg_…`).
    static func chatID(_ id: String) -> String {
        id.hasPrefix("chatcmpl") ? id : "chatcmpl-\(id)"
    }
}
