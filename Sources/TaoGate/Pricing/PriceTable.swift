/// One price table, ready for lookups: exact model names first, then the longest matching
/// prefix (`qwen-*`), then the table's default.
public struct PriceTable: Sendable, Equatable {
    struct PrefixPrice: Sendable, Equatable {
        var prefix: String
        var price: ModelPrice
    }

    public let currency: Currency
    private var exact: [String: ModelPrice] = [:]
    private var prefixes: [PrefixPrice] = []
    private var fallback: ModelPrice?

    /// Builds the table of a `pricing:` section; `place` names it in errors (`pricing`,
    /// `providers[taotoken].pricing`).
    init(_ section: PricingSection, place: String) throws {
        currency = section.currency
        for (pattern, entry) in section.models ?? [:] {
            let price = try Self.price(entry, currency: section.currency, place: "\(place).models.\(pattern)")
            let star = pattern.firstIndex(of: "*")
            guard !pattern.isEmpty, star == nil || star == pattern.index(before: pattern.endIndex) else {
                throw ConfigurationError(
                    name: "TAOGATE_CONFIG",
                    problem: "\(place).models has \"\(pattern)\": a model is an exact name, or a prefix ending in *"
                )
            }
            if star != nil {
                prefixes.append(PrefixPrice(prefix: String(pattern.dropLast()), price: price))
            } else {
                exact[pattern] = price
            }
        }
        prefixes.sort { $0.prefix.count > $1.prefix.count }
        fallback = try section.default.map { try Self.price($0, currency: section.currency, place: "\(place).default") }
    }

    /// The price of `model`, or nil when the table has none for it.
    public func price(of model: String) -> ModelPrice? {
        exact[model] ?? prefixes.first { model.hasPrefix($0.prefix) }?.price ?? fallback
    }

    /// Every pattern and its price, as the file names them.
    var entries: [(pattern: String, price: ModelPrice)] {
        exact.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } + prefixes.map { ($0.prefix + "*", $0.price) }
    }

    /// The price of a model the table names no other way.
    var defaultPrice: ModelPrice? { fallback }

    /// How many models (and patterns) the table prices.
    var count: Int { exact.count + prefixes.count + (fallback == nil ? 0 : 1) }

    private static func price(_ entry: PricingSection.Entry, currency: Currency, place: String) throws -> ModelPrice {
        let named: [(String, Double?)] = [
            ("input", entry.input), ("output", entry.output), ("cached_input", entry.cachedInput),
            ("cache_write", entry.cacheWrite), ("reasoning", entry.reasoning),
        ]
        for (name, value) in named {
            if let value, !(value.isFinite && value >= 0) {
                throw ConfigurationError(name: "TAOGATE_CONFIG", problem: "\(place).\(name) must be a price of zero or more per 1M tokens")
            }
        }
        return ModelPrice(
            currency: currency,
            input: entry.input,
            output: entry.output,
            cachedInput: entry.cachedInput,
            cacheWrite: entry.cacheWrite,
            reasoning: entry.reasoning
        )
    }
}
