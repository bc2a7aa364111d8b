import Foundation
import Logging
import ServiceLifecycle
import TaoGate

#if OTLP
import OTel
#endif

/// Exports traces with OTLP when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
/// is set and this build has the exporter (`swift build --traits OTLP`). The exporter follows
/// the usual OTEL_* variables (protocol, headers, service name, sampler), read from the
/// environment and from `.env`; only traces are exported, logs and metrics stay where they are.
enum TraceExporter {
    /// Bootstraps the tracer and returns the service that sends spans, or nil when tracing is off.
    static func start(
        for configuration: GatewayConfiguration,
        dotEnv: [String: String],
        logger: Logger
    ) throws -> (any Service)? {
        guard let endpoint = configuration.otlpEndpoint else { return nil }
        #if OTLP
        var otel = OTel.Configuration.default
        otel.serviceName = "taogate"
        otel.logs.enabled = false
        otel.metrics.enabled = false
        otel.traces.enabled = true
        otel.diagnosticLogger = .custom(logger)
        otel.diagnosticLogLevel = .warning
        let environment = dotEnv.filter { $0.key.hasPrefix("OTEL_") }
            .merging(ProcessInfo.processInfo.environment) { _, processValue in processValue }
        let service = try OTel.bootstrap(configuration: otel, environment: environment)
        logger.info("exporting traces with OTLP", metadata: ["endpoint": "\(endpoint)"])
        return service
        #else
        logger.warning(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but this build has no OTLP exporter: rebuild with `--traits OTLP`; no traces are sent",
            metadata: ["endpoint": "\(endpoint)"]
        )
        return nil
        #endif
    }
}
