import Foundation
import Logging

/// Settings that are allowed but probably a mistake, said once at startup.
public enum StartupChecks {
    static func logWarnings(for configuration: GatewayConfiguration, to logger: Logger) {
        for warning in warnings(for: configuration) { logger.warning("\(warning)") }
    }

    /// Running open (ALLOW_ANONYMOUS=true) is refused while active client keys are stored: keys
    /// exist to be required.
    public static func refuseAnonymousBesideKeys(_ configuration: GatewayConfiguration, stores: GatewayStores) async throws {
        guard configuration.allowsAnonymous, try await stores.keys.all().contains(where: \.isActive) else { return }
        throw ConfigurationError(
            name: "ALLOW_ANONYMOUS",
            problem: "cannot be true while active client keys are stored (taogate keys list); revoke them or unset it"
        )
    }

    static func warnings(for configuration: GatewayConfiguration) -> [String] {
        var warnings: [String] = []
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(configuration.host) || configuration.host.hasPrefix("127.")
        if !loopback && configuration.clientAPIKeys.isEmpty {
            warnings.append(
                "listening on \(configuration.host) without client keys: anyone who can reach this port can spend the upstream key; set TAOGATE_API_KEYS"
            )
        }
        if configuration.allowsAnonymous {
            warnings.append("ALLOW_ANONYMOUS=true: requests without a client key are served")
        }
        for provider in configuration.providers {
            guard let url = URLComponents(string: provider.baseURL), url.scheme?.lowercased() == "http", let host = url.host,
                !(["localhost", "::1", "[::1]"].contains(host) || host.hasPrefix("127."))
            else { continue }
            warnings.append(
                "provider \(provider.name) is reached over plain http:// at \(host): its key and every prompt travel unencrypted; use https://"
            )
        }
        return warnings
    }
}
