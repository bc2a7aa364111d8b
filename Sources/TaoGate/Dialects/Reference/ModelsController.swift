import Hummingbird

/// `GET /api/models`: `{ success, models, suggested_models, source }`.
struct ModelsController {
    let catalog: ModelCatalog
    let suggested: [String]

    struct Reply: ResponseEncodable {
        let success: Bool
        let models: [String]
        let suggested_models: [String]
        /// `upstream` when the list came from the provider's /models, else `suggested`.
        let source: String
    }

    func addRoutes(to api: GatewayRouteGroup) {
        api.get("models") { _, _ in
            let listing = await catalog.listing()
            return Reply(
                success: true,
                models: listing.models,
                suggested_models: suggested,
                source: listing.fromUpstream ? "upstream" : "suggested"
            )
        }
    }
}
