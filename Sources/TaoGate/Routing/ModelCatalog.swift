import LLMClient

/// The models to offer: the upstream's `/models`, cached for `ttl`, else the suggested list.
///
/// Concurrent misses share one upstream call, and a failed call is not repeated for
/// `failureTTL`, so a down upstream does not slow every `/api/models`.
actor ModelCatalog {
    struct Listing: Sendable {
        var models: [String]
        var fromUpstream: Bool
    }

    private let provider: ModelRouter
    private let suggested: [String]
    private let ttl: Duration
    private let failureTTL: Duration
    private var cached: (listing: Listing, expires: ContinuousClock.Instant)?
    private var inFlight: Task<[String]?, Never>?

    init(provider: ModelRouter, suggested: [String], ttl: Duration, failureTTL: Duration = .seconds(30)) {
        self.provider = provider
        self.suggested = suggested
        self.ttl = ttl
        self.failureTTL = min(ttl, failureTTL)
    }

    func listing() async -> Listing {
        if let cached, cached.expires > .now { return cached.listing }
        let task: Task<[String]?, Never>
        if let inFlight {
            task = inFlight
        } else {
            let provider = self.provider
            task = Task { (try? await provider.listModels())?.data.map(\.id) }
            inFlight = task
        }
        let models = await task.value
        inFlight = nil
        let listing: Listing
        if let models, !models.isEmpty {
            listing = Listing(models: models, fromUpstream: true)
            cached = (listing, .now + ttl)
        } else {
            listing = Listing(models: suggested, fromUpstream: false)
            cached = (listing, .now + failureTTL)
        }
        return listing
    }
}
