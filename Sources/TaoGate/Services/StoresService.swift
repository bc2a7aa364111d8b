import ServiceLifecycle

/// Closes the database after every service that uses it has stopped, on a graceful shutdown and
/// on cancellation alike (closing is not work a cancellation should skip).
struct StoresService: Service {
    let stores: GatewayStores

    func run() async throws {
        try? await gracefulShutdown()
        let stores = self.stores
        try await Task { try await stores.close() }.value
    }
}
