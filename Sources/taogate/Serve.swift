import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MockUpstream
import NIOCore
import NIOPosix
import ServiceLifecycle
import TaoGate
import UnixSignals

/// `taogate serve`: reads the configuration and runs the gateway until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway.",
        discussion: "Settings come from flags, then the environment, then a .env file (see .env.example)."
    )

    @Flag(help: "Serve against the built-in MockUpstream: no key needed, answers are simulated.")
    var demo = false

    @Option(help: "Listen address (HOST).")
    var host: String?

    @Option(help: "Listen port (PORT).")
    var port: String?

    @Option(help: "Log level (LOG_LEVEL): trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    @Option(help: "A providers file, YAML or JSON (TAOGATE_CONFIG).")
    var config: String?

    @Option(help: "The .env file to read.")
    var envFile: String = ".env"

    func run() async throws {
        // Tasks run on the server's event loops rather than on a pool of their own: no thread
        // hop between reading a request, the handler, and the upstream call (swift-nio's hook).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let dotEnv = FileManager.default.fileExists(atPath: envFile) ? try? String(contentsOfFile: envFile, encoding: .utf8) : nil
        var configuration = try loadConfiguration(dotEnv: dotEnv)
        let logger: Logger
        let logOutput: BufferedLogWriter
        do {
            (logger, logOutput) = try Logger.gateway(configuration: configuration)
        } catch {
            throw exitForConfiguration(error)
        }
        // The last lines (the shutdown's) are written before the process ends.
        defer { logOutput.close() }

        let traceExporter: (any Service)?
        do {
            // The .env file parsed already in loadConfiguration; its OTEL_* values go to the exporter.
            let dotEnvValues = (try? dotEnv.map(DotEnvFile.parse)) ?? [:]
            traceExporter = try TraceExporter.start(for: configuration, dotEnv: dotEnvValues, logger: logger)
        } catch {
            throw exitForConfiguration(error)
        }
        configuration.tracing = traceExporter != nil

        let stores = try await openStores(configuration.database)
        do {
            try await StartupChecks.refuseAnonymousBesideKeys(configuration, stores: stores)
        } catch {
            try? await stores.close()
            throw exitForConfiguration(error)
        }

        var mockTask: Task<Void, any Error>?
        if demo {
            let (baseURL, task) = try await startDemoUpstream()
            mockTask = task
            configuration.useDemoUpstream(baseURL: baseURL)
            printToStandardError(
                "DEMO MODE: every answer is simulated by the built-in MockUpstream (\(baseURL)); nothing leaves this machine."
            )
        }
        defer { mockTask?.cancel() }

        let host = configuration.host
        let prices = configuration.makePriceBook()
        let app = buildApplication(configuration: configuration, stores: stores, logger: logger, prices: prices) { channel in
            printToStandardError("TaoGate listening on http://\(host):\(channel.localAddress?.port ?? 0)")
        }
        // SIGTERM/SIGINT: stop accepting, let requests and streams finish within the grace
        // period (they end themselves when it runs out), then exit. Cancellation is the backstop.
        // The exporter comes first so that it stops last, after the server's final spans.
        let services: [any Service] = (traceExporter.map { [$0] } ?? []) + [PriceReloadOnHangUp(prices: prices, logger: logger), app]
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = configuration.shutdownGrace + .seconds(5)
        try await ServiceGroup(configuration: group).run()
    }

    private func loadConfiguration(dotEnv: String?) throws -> GatewayConfiguration {
        var flags: [String: String] = [:]
        flags["HOST"] = host
        flags["PORT"] = port
        flags["LOG_LEVEL"] = logLevel
        flags["TAOGATE_CONFIG"] = config
        do {
            return try GatewayConfiguration.load(dotEnv: dotEnv, flags: flags, demo: demo)
        } catch {
            throw exitForConfiguration(error)
        }
    }

    /// Starts MockUpstream on a free loopback port; returns its base URL.
    private func startDemoUpstream() async throws -> (String, Task<Void, any Error>) {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var mockLogger = Logger(label: "mock-upstream")
        mockLogger.logLevel = .warning
        let app = MockUpstream().makeApplication(logger: mockLogger) { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        }
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            throw ValidationError("the demo upstream did not start")
        }
        return ("http://127.0.0.1:\(port)/v1", task)
    }
}

/// Prints the one-line reason and gives the exit code for a configuration failure.
func exitForConfiguration(_ error: any Error) -> ExitCode {
    printToStandardError("taogate: configuration error: \(error)")
    return ExitCode(78)  // EX_CONFIG
}

func printToStandardError(_ line: String, newline: Bool = true) {
    FileHandle.standardError.write(Data((newline ? line + "\n" : line).utf8))
}
