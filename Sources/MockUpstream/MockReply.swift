import LLMClient

/// The deterministic answer MockUpstream derives from a request, so tests can check what a
/// gateway relays without the gateway ever being told what to say.
public enum MockReply {
    /// The full reply text for a request.
    public static func text(for request: ChatCompletionRequest) -> String {
        let lastUser = request.messages.last(where: { $0.role == "user" })?.content ?? ""
        return "Simulated reply from \(request.model) to \"\(lastUser)\" (\(request.messages.count) messages in context)."
    }

    /// The reply split into the pieces a stream sends, one per word with its trailing space.
    public static func pieces(for request: ChatCompletionRequest) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text(for: request) {
            current.append(character)
            if character == " " {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    /// Token counts: words of every message in, pieces out.
    public static func usage(for request: ChatCompletionRequest) -> Usage {
        let prompt = request.messages.reduce(0) { $0 + $1.content.split(separator: " ").count + 1 }
        return Usage(promptTokens: prompt, completionTokens: pieces(for: request).count)
    }
}
