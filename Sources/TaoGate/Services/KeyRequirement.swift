import Synchronization

/// Whether requests must present a client key: once any key has existed (configured, stored,
/// or stored and since revoked), always, unless the operator chose to run open
/// (ALLOW_ANONYMOUS=true, refused beside keys at startup).
///
/// The answer only ever turns from "no" to "yes", so once keys are required no request asks the
/// store again. While none has existed, the store is asked every few seconds, so that a key
/// created while the server runs takes effect without a restart.
final class KeyRequirement: Sendable {
    private struct State {
        var required: Bool
        var checkedAt: ContinuousClock.Instant?
    }

    private let store: any KeyStore
    private let allowsAnonymous: Bool
    private let recheckInterval: Duration
    private let state: Mutex<State>

    init(hasConfiguredKeys: Bool, allowsAnonymous: Bool, store: any KeyStore, recheckInterval: Duration = .seconds(5)) {
        self.store = store
        self.allowsAnonymous = allowsAnonymous
        self.recheckInterval = recheckInterval
        self.state = Mutex(State(required: hasConfiguredKeys && !allowsAnonymous))
    }

    /// Throws when the store cannot answer and it has never answered (the request gets 503).
    func isRequired() async throws -> Bool {
        if let known = knownAnswer { return known }
        do {
            let exists = try await store.hasAnyKey()
            state.withLock { state in
                state.required = state.required || exists
                state.checkedAt = .now
            }
            return exists
        } catch {
            // While the store is away, the last answer stands; without one, the request cannot go on.
            guard state.withLock({ $0.checkedAt }) != nil else { throw error }
            return false
        }
    }

    /// The answer without asking the store: nil when the store is to be asked (none has ever
    /// existed, and the last answer is older than the recheck interval).
    var knownAnswer: Bool? {
        if allowsAnonymous { return false }
        return state.withLock { state -> Bool? in
            if state.required { return true }
            if let checkedAt = state.checkedAt, ContinuousClock.now - checkedAt < recheckInterval { return false }
            return nil
        }
    }

    /// A key was just created: keys are required from now on.
    func keyCreated() {
        guard !allowsAnonymous else { return }
        state.withLock { $0.required = true }
    }
}
