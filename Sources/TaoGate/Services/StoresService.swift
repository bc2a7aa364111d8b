import ServiceLifecycle

/// Keeps the database open for the life of the application; closes it last on shutdown.
struct StoresService: Service {
    let stores: GatewayStores

    func run() async throws {
        try? await gracefulShutdown()
        try await stores.close()
    }
}
