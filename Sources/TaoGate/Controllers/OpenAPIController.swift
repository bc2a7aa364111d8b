import Foundation
import Hummingbird
import NIOCore

/// `GET /openapi.yaml`: the API description kept in the repository, read once at startup.
struct OpenAPIController {
    static let document: ByteBuffer = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let data = try? Data(contentsOf: url)
        else { return ByteBuffer(string: "openapi: 3.0.3\ninfo: {title: TaoGate, version: unknown}\npaths: {}\n") }
        return ByteBuffer(bytes: data)
    }()

    func addRoutes(to router: GatewayRouteGroup) {
        let document = Self.document
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: document))
        }
    }
}
