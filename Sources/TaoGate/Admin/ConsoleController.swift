import Hummingbird

/// The operator console at `/admin/` (and `/admin`; its files are named by absolute paths): static files like the chat page's, nothing from elsewhere.
/// The page asks for the admin key and calls the admin API with it; the files themselves hold
/// nothing secret and need no key.
struct ConsoleController {
    static let files = StaticFiles(
        folder: "console",
        files: [
            .init(route: "/admin/", name: "index", ext: "html"),
            .init(route: "/admin/console.js", name: "console", ext: "js"),
            .init(route: "/admin/console.css", name: "console", ext: "css"),
        ]
    )

    func addRoutes(to router: GatewayRouteGroup) {
        Self.files.addRoutes(to: router)
    }
}
