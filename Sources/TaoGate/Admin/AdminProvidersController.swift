import Foundation
import Hummingbird
import LLMClient
import Logging

/// Providers and prices for operators: `GET /admin/providers` (each provider key's circuit,
/// cool-down, recent error rate and latency), `GET /admin/pricing` (the prices in force) and
/// `POST /admin/pricing/reload` (read them again from the providers file, as SIGHUP does).
struct AdminProvidersController {
    let router: ModelRouter
    let prices: PriceBook

    func addRoutes(to group: GatewayRouteGroup) {
        group.get("providers", use: providers)
        group.get("pricing", use: pricing)
        group.post("pricing/reload", use: reload)
    }

    @Sendable func providers(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let providers = router.health().map { provider -> JSONValue in
            .object([
                "name": .string(provider.name),
                "apis": .array(provider.apis.map { .string($0.rawValue) }),
                "keys": .array(
                    provider.keys.map { key in
                        .object([
                            "id": .string(key.key),
                            "source": .string(key.source),
                            "circuit": .string(key.circuit.rawValue),
                            "cooling_down": .bool(key.coolingDown),
                            "recent": .object([
                                "window_seconds": .integer(300),
                                "calls": .integer(key.recent.calls),
                                "errors": .integer(key.recent.errors),
                                "error_rate": key.recent.errorRate.map(JSONValue.number) ?? .null,
                                "latency_ms_avg": key.recent.averageLatencyMilliseconds.map { .number(($0 * 10).rounded() / 10) } ?? .null,
                                "latency_ms_p95": key.recent.p95LatencyMilliseconds.map { .number(($0 * 10).rounded() / 10) } ?? .null,
                            ]),
                        ])
                    }
                ),
            ])
        }
        return try AdminKeysController.json(.object(["providers": .array(providers)]))
    }

    @Sendable func pricing(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let current = prices.current
        var body: [String: JSONValue] = [
            "shared": current.shared.map(Self.json) ?? .null,
            "providers": .object(current.byProvider.mapValues(Self.json)),
        ]
        body["unit"] = .string("per 1M tokens")
        return try AdminKeysController.json(.object(body))
    }

    @Sendable func reload(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        do {
            let count = try prices.reload()
            context.logger.notice("prices reloaded", metadata: ["priced": "\(count)"])
            return try AdminKeysController.json(.object(["reloaded": .bool(true), "priced_models": .integer(count)]))
        } catch let error as ConfigurationError {
            throw GatewayError.invalidRequest(
                en: "The prices were not reloaded (those in force stay): \(error.problem)",
                zh: "价格未重新加载（仍使用当前价格）：\(error.problem)"
            )
        }
    }

    private static func json(_ table: PriceTable) -> JSONValue {
        var models: [String: JSONValue] = [:]
        for (pattern, price) in table.entries { models[pattern] = json(price) }
        return .object([
            "currency": .string(table.currency.rawValue),
            "models": .object(models),
            "default": table.defaultPrice.map(json) ?? .null,
        ])
    }

    private static func json(_ price: ModelPrice) -> JSONValue {
        var entry: [String: JSONValue] = ["input": .number(price.input), "output": .number(price.output)]
        if let value = price.cachedInput { entry["cached_input"] = .number(value) }
        if let value = price.cacheWrite { entry["cache_write"] = .number(value) }
        if let value = price.reasoning { entry["reasoning"] = .number(value) }
        return .object(entry)
    }
}
