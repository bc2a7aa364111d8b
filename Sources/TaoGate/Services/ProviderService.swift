import ServiceLifecycle

/// Keeps the upstream connection pools for the life of the application and closes them after
/// the HTTP server has stopped.
struct ProviderService: Service {
    let router: ModelRouter

    func run() async throws {
        try? await gracefulShutdown()
        try await router.shutdown()
    }
}
