/// Every price table of a deployment: a provider's own table first, then the shared one.
public struct Prices: Sendable, Equatable {
    public var shared: PriceTable?
    public var byProvider: [String: PriceTable]

    public init(shared: PriceTable? = nil, byProvider: [String: PriceTable] = [:]) {
        self.shared = shared
        self.byProvider = byProvider
    }

    public static let none = Prices()

    /// The price of `model` when `provider` serves it; nil when no table prices it.
    public func price(provider: String, model: String) -> ModelPrice? {
        byProvider[provider]?.price(of: model) ?? shared?.price(of: model)
    }

    /// How many models and patterns are priced, for the reload's report.
    var count: Int { (shared?.count ?? 0) + byProvider.values.reduce(0) { $0 + $1.count } }

    /// The tables of a providers file.
    init(file: ProvidersFile) throws {
        self.init(
            shared: try file.pricing.map { try PriceTable($0, place: "pricing") },
            byProvider: try (file.providers ?? []).reduce(into: [:]) { tables, provider in
                if let section = provider.pricing {
                    tables[provider.name] = try PriceTable(section, place: "providers[\(provider.name)].pricing")
                }
            }
        )
    }
}
