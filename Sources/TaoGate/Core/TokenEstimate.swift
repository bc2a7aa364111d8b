import LLMClient

/// A rough count of a request's input tokens, where no provider has counted them: in a
/// translated stream's `message_start` (a chat provider reports its counts only at the end), and
/// for `count_tokens` when the provider does not serve it.
///
/// About four characters of text per token, and a few tokens for each message and tool: close
/// enough for a context meter, and never 0 for a request that says anything.
enum TokenEstimate {
    static func inputTokens(of request: LLMRequest) -> Int {
        var characters = request.system?.utf8.count ?? 0
        var overhead = 3
        for message in request.messages {
            overhead += 4
            for part in message.content {
                switch part {
                case .text(let text): characters += text.utf8.count
                case .image: overhead += 1_500
                case .toolCall(_, let name, let arguments): characters += name.utf8.count + arguments.utf8.count
                case .toolResult(let result): characters += result.text.utf8.count
                case .reasoning(let text, _): characters += text.utf8.count
                case .redactedReasoning(let data): characters += data.utf8.count / 2
                }
            }
        }
        for tool in request.tools {
            overhead += 8
            characters += tool.name.utf8.count + (tool.description?.utf8.count ?? 0) + tool.parameters.jsonText.utf8.count
        }
        return max(1, overhead + (characters + 3) / 4)
    }
}
