import Logging
import ServiceLifecycle
import TaoGate
import UnixSignals

/// Reloads the prices from the providers file on SIGHUP, as `POST /admin/pricing/reload` does;
/// a file that does not read leaves the prices in force and says why in the log.
struct PriceReloadOnHangUp: Service {
    let prices: PriceBook
    let logger: Logger

    func run() async throws {
        let hangUps = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangUps {
                do {
                    let count = try prices.reload()
                    logger.notice("prices reloaded", metadata: ["priced": "\(count)"])
                } catch {
                    logger.error("prices not reloaded; those in force stay", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
