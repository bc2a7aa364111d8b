import Foundation
import Hummingbird
import NIOCore

/// Files kept in the repository under `Resources/<folder>`, read once at startup and served as
/// they are (no build step), each at its own route.
struct StaticFiles: Sendable {
    struct File: Sendable {
        let route: String
        let name: String
        let ext: String

        var contentType: String {
            switch ext {
            case "html": "text/html; charset=utf-8"
            case "js": "text/javascript; charset=utf-8"
            case "css": "text/css; charset=utf-8"
            default: "application/octet-stream"
            }
        }
    }

    private let assets: [(route: String, contentType: String, body: ByteBuffer)]

    init(folder: String, files: [File]) {
        assets = files.compactMap { file in
            guard let url = Bundle.module.url(forResource: file.name, withExtension: file.ext, subdirectory: folder),
                let data = try? Data(contentsOf: url)
            else { return nil }
            return (file.route, file.contentType, ByteBuffer(bytes: data))
        }
    }

    /// The routes served.
    var routes: [String] { assets.map(\.route) }

    func addRoutes(to router: GatewayRouteGroup) {
        for asset in assets {
            router.get(RouterPath(asset.route)) { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: asset.contentType, .cacheControl: "no-cache"],
                    body: .init(byteBuffer: asset.body)
                )
            }
        }
    }
}
