import Hummingbird

/// The chat page at `/`: three static files, served as they are. The page talks to the
/// reference API like any client.
struct ChatPageController {
    static let files = StaticFiles(
        folder: "chat",
        files: [
            .init(route: "/", name: "index", ext: "html"),
            .init(route: "/chat.js", name: "chat", ext: "js"),
            .init(route: "/chat.css", name: "chat", ext: "css"),
        ]
    )

    func addRoutes(to router: GatewayRouteGroup) {
        Self.files.addRoutes(to: router)
    }
}
