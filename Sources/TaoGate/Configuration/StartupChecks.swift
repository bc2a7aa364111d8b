import Logging

/// Settings that are allowed but probably a mistake, said once at startup.
enum StartupChecks {
    static func logWarnings(for configuration: GatewayConfiguration, to logger: Logger) {
        for warning in warnings(for: configuration) { logger.warning("\(warning)") }
    }

    static func warnings(for configuration: GatewayConfiguration) -> [String] {
        var warnings: [String] = []
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(configuration.host) || configuration.host.hasPrefix("127.")
        if !loopback && configuration.clientAPIKeys.isEmpty {
            warnings.append(
                "listening on \(configuration.host) without client keys: anyone who can reach this port can spend the upstream key; set TAOGATE_API_KEYS"
            )
        }
        return warnings
    }
}
