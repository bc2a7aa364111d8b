import Logging
import ServiceLifecycle

/// Runs the services that use the database, and closes the database once every one of them has
/// stopped, on a graceful shutdown (they stop in reverse order) and on cancellation alike. A
/// cancelled group stops its services all at once: were the database a service beside them, it
/// could close under the usage recorder's last write, which would then wait for a connection
/// that never comes.
struct StoresService: Service {
    let stores: GatewayStores
    let users: [any Service]
    let logger: Logger

    func run() async throws {
        let group = ServiceGroup(services: users, logger: logger)
        do {
            try await group.run()
        } catch {
            await close()
            throw error
        }
        await close()
    }

    /// Closing is not work a cancellation should skip.
    private func close() async {
        let stores = self.stores
        let logger = self.logger
        await Task {
            do {
                try await stores.close()
            } catch {
                logger.warning("the database did not close cleanly", metadata: ["error": "\(error)"])
            }
        }.value
    }
}
