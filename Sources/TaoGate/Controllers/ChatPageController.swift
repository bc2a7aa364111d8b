import Foundation
import Hummingbird
import NIOCore

/// The chat page at `/`: three static files kept in the repository, read once at startup and
/// served as they are (no build step). The page talks to the reference API like any client.
struct ChatPageController {
    struct Asset: Sendable {
        let contentType: String
        let body: ByteBuffer
    }

    static let assets: [String: Asset] = {
        let files: [(path: String, name: String, ext: String, contentType: String)] = [
            ("/", "index", "html", "text/html; charset=utf-8"),
            ("/chat.js", "chat", "js", "text/javascript; charset=utf-8"),
            ("/chat.css", "chat", "css", "text/css; charset=utf-8"),
        ]
        var assets: [String: Asset] = [:]
        for file in files {
            guard let url = Bundle.module.url(forResource: file.name, withExtension: file.ext, subdirectory: "chat"),
                let data = try? Data(contentsOf: url)
            else { continue }
            assets[file.path] = Asset(contentType: file.contentType, body: ByteBuffer(bytes: data))
        }
        return assets
    }()

    func addRoutes(to router: Router<GatewayRequestContext>) {
        for (path, asset) in Self.assets {
            router.get(RouterPath(path)) { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: asset.contentType, .cacheControl: "no-cache"],
                    body: .init(byteBuffer: asset.body)
                )
            }
        }
    }
}
