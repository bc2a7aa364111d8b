import Hummingbird

/// `GET /healthz`: the process is alive and serving.
struct HealthController {
    struct Status: ResponseEncodable {
        let status: String
    }

    func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("/healthz") { _, _ in Status(status: "ok") }
    }
}
