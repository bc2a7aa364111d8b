/// Something that answers chat completions: an OpenAI-compatible HTTP API, or a test double.
///
/// The protocol is deliberately narrow; abilities only some providers have belong in protocols of
/// their own.
public protocol ChatProvider: Sendable {
    /// One whole completion. Retries happen inside, before anything is returned.
    func complete(_ request: ChatCompletionRequest) async throws -> ChatCompletionResponse

    /// Starts a streamed completion and returns once the upstream has accepted it (status 200).
    /// Retries happen only before this returns; iterating the stream never retries.
    func stream(_ request: ChatCompletionRequest) async throws -> ChatCompletionStream

    /// The models the upstream offers.
    func listModels() async throws -> ModelList
}
