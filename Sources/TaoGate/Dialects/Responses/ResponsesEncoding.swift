import Foundation
import LLMClient

/// The neutral core → OpenAI Responses: answers for Responses clients whose request went to a
/// provider of another API.
enum ResponsesEncoding {
    /// What a response echoes of its request, and how its calls are told apart.
    struct Echo: Sendable {
        var model: String
        var instructions: String?
        var previousResponseID: String?
        var tools: [JSONValue]
        var toolChoice: JSONValue
        var parallelToolCalls: Bool
        var store: Bool
        var temperature: Double?
        var topP: Double?
        /// Tools whose calls are `custom_tool_call`s.
        var customTools: Set<String>

        init(request: ResponsesRequest, customTools: Set<String>) {
            let encoder = JSONEncoder()
            self.model = request.model
            self.instructions = request.instructions
            self.previousResponseID = request.previousResponseID
            self.tools = (request.tools ?? []).compactMap { tool in
                (try? encoder.encode(tool)).flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) }
            }
            self.toolChoice =
                request.toolChoice.flatMap { choice in
                    (try? encoder.encode(choice)).flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) }
                } ?? .string("auto")
            self.parallelToolCalls = request.parallelToolCalls ?? true
            self.store = request.store ?? true
            self.temperature = request.temperature
            self.topP = request.topP
            self.customTools = customTools
        }
    }

    /// A new response id (`resp_` and 24 hex digits).
    static func newResponseID() -> String {
        "resp_" + RequestIdentifier.next() + String(RequestIdentifier.next().prefix(8))
    }

    /// The output items of an answer, in the order the model produced them.
    static func outputItems(_ content: [LLMContent], customTools: Set<String>) -> [ResponsesItem] {
        var items: [ResponsesItem] = []
        var text: [String] = []
        var reasoning: [String] = []
        func flushReasoning() {
            guard !reasoning.isEmpty else { return }
            items.append(.reasoning(ResponsesReasoning(id: "rs_" + RequestIdentifier.next(), summary: [reasoning.joined()])))
            reasoning = []
        }
        func flushText() {
            guard !text.isEmpty else { return }
            items.append(
                .message(
                    ResponsesMessage(
                        id: "msg_" + RequestIdentifier.next(),
                        role: "assistant",
                        content: [.outputText(text.joined())],
                        status: "completed"
                    )
                )
            )
            text = []
        }
        for part in content {
            switch part {
            case .reasoning(let value, _):
                flushText()
                reasoning.append(value)
            case .text(let value):
                flushReasoning()
                text.append(value)
            case .toolCall(let id, let name, let arguments):
                flushReasoning()
                flushText()
                items.append(callItem(id: id, name: name, arguments: arguments, customTools: customTools))
            default:
                break
            }
        }
        flushReasoning()
        flushText()
        return items
    }

    /// A function call, or a custom tool call whose `input` the arguments' `input` carried.
    static func callItem(id: String, name: String, arguments: String, customTools: Set<String>) -> ResponsesItem {
        if customTools.contains(name) {
            let input = JSONValue(parsing: arguments)?["input"]?.stringValue ?? arguments
            return .customToolCall(ResponsesCustomToolCall(id: "ctc_" + RequestIdentifier.next(), callID: id, name: name, input: input))
        }
        return .functionCall(ResponsesFunctionCall(id: "fc_" + RequestIdentifier.next(), callID: id, name: name, arguments: arguments))
    }

    /// `completed`, or `incomplete` with its reason for an answer cut by its token limit or a filter.
    static func status(_ reason: LLMFinishReason) -> (status: String, incompleteDetails: JSONValue?) {
        switch reason {
        case .length: ("incomplete", .object(["reason": .string("max_output_tokens")]))
        case .contentFilter: ("incomplete", .object(["reason": .string("content_filter")]))
        default: ("completed", nil)
        }
    }

    static func usage(_ usage: TokenUsage) -> ResponsesUsage {
        ResponsesUsage(
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            cachedTokens: usage.cacheReadTokens,
            reasoningTokens: usage.reasoningTokens
        )
    }

    /// The whole response object for an answer.
    static func response(
        _ response: LLMResponse,
        id: String,
        echo: Echo,
        createdAt: Int = Int(Date().timeIntervalSince1970)
    ) -> ResponsesResponse {
        let (status, details) = status(response.finishReason)
        return skeleton(
            id: id,
            echo: echo,
            createdAt: createdAt,
            status: status,
            output: outputItems(response.content, customTools: echo.customTools),
            usage: response.usage.map(usage),
            incompleteDetails: details
        )
    }

    /// A response object with the request's echoed members.
    static func skeleton(
        id: String,
        echo: Echo,
        createdAt: Int,
        status: String,
        output: [ResponsesItem],
        usage: ResponsesUsage?,
        incompleteDetails: JSONValue? = nil,
        error: JSONValue? = nil
    ) -> ResponsesResponse {
        ResponsesResponse(
            id: id,
            createdAt: createdAt,
            status: status,
            model: echo.model,
            output: output,
            usage: usage,
            incompleteDetails: incompleteDetails,
            error: error,
            instructions: echo.instructions,
            previousResponseID: echo.previousResponseID,
            parallelToolCalls: echo.parallelToolCalls,
            toolChoice: echo.toolChoice,
            tools: echo.tools,
            store: echo.store,
            temperature: echo.temperature,
            topP: echo.topP
        )
    }
}
