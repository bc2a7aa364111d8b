import LLMClient
import NIOCore

/// A request as the model router sees it, whatever API the client spoke.
///
/// It goes **native** to a provider that speaks the client's API: the body as sent (only `model`
/// rewritten for a fallback) with the client's forwarded headers. Otherwise it is **translated**:
/// `neutral()` gives it in neutral form, which the router encodes for the provider's API.
struct RoutedRequest: Sendable {
    /// The client's API; nil for the reference `/api`, which no provider speaks.
    var api: ProviderAPI?
    var model: String
    var stream: Bool
    /// The body as the client sent it (nil for the reference API).
    var body: ByteBuffer?
    /// Headers that go with the body on native calls (the client's `anthropic-*`).
    var forwardedHeaders: [(String, String)] = []
    /// The request in neutral form: decoded only when a provider of another API is tried.
    var neutral: @Sendable () throws -> LLMRequest

    /// A request of a client API, native where the provider speaks it.
    init(
        api: ProviderAPI,
        model: String,
        stream: Bool,
        body: ByteBuffer,
        forwardedHeaders: [(String, String)] = [],
        neutral: @escaping @Sendable () throws -> LLMRequest
    ) {
        self.api = api
        self.model = model
        self.stream = stream
        self.body = body
        self.forwardedHeaders = forwardedHeaders
        self.neutral = neutral
    }

    /// A request already in neutral form (the reference API's): always translated.
    init(neutral request: LLMRequest, stream: Bool) {
        self.api = nil
        self.model = request.model
        self.stream = stream
        self.body = nil
        self.neutral = { request }
    }
}
