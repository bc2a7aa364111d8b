import Crypto
import Foundation

/// Whether keys are required, re-read from the store every few seconds so that a key created
/// while the server runs takes effect without a restart.
actor KeyRequirement {
    private let hasConfiguredKeys: Bool
    private let store: any KeyStore
    private var cached: (required: Bool, until: ContinuousClock.Instant)?

    init(hasConfiguredKeys: Bool, store: any KeyStore) {
        self.hasConfiguredKeys = hasConfiguredKeys
        self.store = store
    }

    /// Throws when the store cannot answer and nothing is known yet (the request gets 503).
    func isRequired() async throws -> Bool {
        if hasConfiguredKeys { return true }
        if let cached, cached.until > .now { return cached.required }
        do {
            let required = try await store.all().contains(where: \.isActive)
            cached = (required, .now + .seconds(5))
            return required
        } catch {
            // Keep the last answer while the store is away; without one, the request cannot go on.
            guard let cached else { throw error }
            return cached.required
        }
    }

    func invalidate() {
        cached = nil
    }
}
