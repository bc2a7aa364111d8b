import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics`: Prometheus text exposition of `GatewayMetrics`.
struct MetricsController {
    let metrics: GatewayMetrics

    func addRoutes(to router: GatewayRouteGroup) {
        router.get("/metrics") { _, _ in
            var text: [UInt8] = []
            metrics.registry.emit(into: &text)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: text))
            )
        }
    }
}
