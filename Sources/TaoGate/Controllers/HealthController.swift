import Hummingbird

/// `GET /healthz` (the process serves) and `GET /readyz` (and its database answers).
struct HealthController {
    let stores: GatewayStores

    struct Status: ResponseEncodable {
        let status: String
    }

    func addRoutes(to router: GatewayRouteGroup) {
        router.get("/healthz") { _, _ in Status(status: "ok") }
        router.get("/readyz") { request, context -> Response in
            do {
                try await stores.checkReachable()
                return try context.responseEncoder.encode(Status(status: "ready"), from: request, context: context)
            } catch {
                var response = try context.responseEncoder.encode(Status(status: "unavailable"), from: request, context: context)
                response.status = .serviceUnavailable
                return response
            }
        }
    }
}
