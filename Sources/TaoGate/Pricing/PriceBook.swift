import Synchronization

/// The prices in force, which an operator can reload without a restart (SIGHUP, or
/// `POST /admin/pricing/reload`): a request is priced with the prices in force when its usage
/// is written, and a reload never changes a cost already written.
public final class PriceBook: Sendable {
    private let prices: Mutex<Prices>
    /// Reads the prices again from where they came from (the providers file); nil when they
    /// came from nowhere that can be read again.
    private let source: (@Sendable () throws -> Prices)?

    public init(_ prices: Prices, source: (@Sendable () throws -> Prices)? = nil) {
        self.prices = Mutex(prices)
        self.source = source
    }

    public var current: Prices { prices.withLock { $0 } }

    public func price(provider: String, model: String) -> ModelPrice? {
        prices.withLock { $0.price(provider: provider, model: model) }
    }

    /// Reads the prices again; on failure the prices in force stay and the error says why.
    /// Returns how many models and patterns are priced now.
    @discardableResult
    public func reload() throws -> Int {
        guard let source else { return current.count }
        let fresh = try source()
        prices.withLock { $0 = fresh }
        return fresh.count
    }
}
