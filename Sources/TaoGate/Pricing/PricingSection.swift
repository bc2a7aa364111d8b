/// A `pricing:` table of the providers file, at the top level or in one provider:
///
/// ```yaml
/// pricing:
///   currency: CNY                # or USD; one per table
///   models:                      # per 1M tokens
///     gpt-4o: { input: 1.0, output: 4.0, cached_input: 0.5 }
///     "qwen-*": { input: 0.2, output: 0.6 }      # a trailing * matches by prefix
///   default: { input: 1.0, output: 2.0 }          # any other model (optional)
/// ```
///
/// `cached_input`, `cache_write` and `reasoning` are optional: cached and cache-write tokens cost
/// `input` without them, reasoning tokens `output`.
struct PricingSection: Codable, Sendable, Equatable {
    struct Entry: Codable, Sendable, Equatable {
        var input: Double
        var output: Double
        var cachedInput: Double?
        var cacheWrite: Double?
        var reasoning: Double?

        enum CodingKeys: String, CodingKey {
            case input, output, reasoning
            case cachedInput = "cached_input"
            case cacheWrite = "cache_write"
        }
    }

    var currency: Currency
    var models: [String: Entry]?
    var `default`: Entry?
}
