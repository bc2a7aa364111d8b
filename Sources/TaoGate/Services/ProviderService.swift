import LLMClient
import ServiceLifecycle

/// Keeps the upstream provider's connection pools for the life of the application and closes
/// them after the HTTP server has stopped.
struct ProviderService: Service {
    let provider: OpenAICompatibleProvider

    func run() async throws {
        try? await gracefulShutdown()
        try await provider.shutdown()
    }
}
