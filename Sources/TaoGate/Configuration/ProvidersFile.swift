import Foundation
import LLMClient
import Yams

/// The optional providers file (TAOGATE_CONFIG or `--config`, YAML or JSON): several
/// OpenAI-compatible providers, the models each serves, fallbacks per model, and prices
/// (`PricingSection`). A file with prices and no providers prices the Taotoken provider of
/// TAOTOKEN_*.
///
/// ```yaml
/// providers:
///   - name: taotoken
///     base_url: https://taotoken.net/api/v1
///     keys:
///       - env: TAOTOKEN_API_KEY
///         weight: 3
///       - env: TAOTOKEN_API_KEY_2
///     headers:
///       X-Title: TaoGate
///     models: [claude-sonnet-4-6, gpt-4o]
///     model_prefixes: [qwen-]
///     apis: [chat, messages, responses]   # what it speaks natively (default: chat)
///   - name: anthropic
///     base_url: https://api.anthropic.com/v1
///     keys: [{ env: ANTHROPIC_API_KEY }]
///     apis: [messages]
///     auth: x-api-key                     # default: bearer
///     model_prefixes: [claude-]
///     pricing:                            # this provider's prices (before the shared ones)
///       currency: USD
///       models:
///         claude-sonnet-4-6: { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 }
///   - name: backup
///     base_url: https://api.example.com/v1
///     keys: [{ env: BACKUP_API_KEY }]
/// fallbacks:
///   gpt-4o: [claude-sonnet-4-6]
/// pricing:                                # per 1M tokens, for every provider
///   currency: CNY
///   models:
///     gpt-4o: { input: 1.0, output: 4.0, cached_input: 0.5 }
/// ```
///
/// A provider with neither `models` nor `model_prefixes` serves any model.
struct ProvidersFile: Codable, Sendable, Equatable {
    struct Provider: Codable, Sendable, Equatable {
        struct Key: Codable, Sendable, Equatable {
            /// The variable (environment, .env) that holds the key; the file never holds keys.
            var env: String
            var weight: Int?
        }

        var name: String
        var baseURL: String
        var keys: [Key]
        var headers: [String: String]?
        var models: [String]?
        var modelPrefixes: [String]?
        /// The APIs the provider speaks natively (default `[chat]`).
        var apis: [ProviderAPI]?
        /// `bearer` (default) or `x-api-key`.
        var auth: ProviderClient.Authentication?
        /// Prices of this provider's models, looked up before the shared `pricing`.
        var pricing: PricingSection?

        enum CodingKeys: String, CodingKey {
            case name, keys, headers, models, apis, auth, pricing
            case baseURL = "base_url"
            case modelPrefixes = "model_prefixes"
        }
    }

    /// The providers; none: Taotoken from TAOTOKEN_*.
    var providers: [Provider]?
    var fallbacks: [String: [String]]?
    /// How long a key answered with 401/403 is set aside (default 60 s).
    var keyCooldownMs: Int?
    /// Prices for every provider (after a provider's own).
    var pricing: PricingSection?

    enum CodingKeys: String, CodingKey {
        case providers, fallbacks, pricing
        case keyCooldownMs = "key_cooldown_ms"
    }

    /// Reads a `.json` file as JSON and anything else as YAML (a superset of JSON).
    static func load(path: String) throws -> ProvidersFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(name: "TAOGATE_CONFIG", problem: "names \(path), which cannot be read")
        }
        let file: ProvidersFile
        do {
            if path.hasSuffix(".json") {
                file = try JSONDecoder().decode(ProvidersFile.self, from: data)
            } else {
                file = try YAMLDecoder().decode(ProvidersFile.self, from: data)
            }
        } catch {
            throw ConfigurationError(name: "TAOGATE_CONFIG", problem: "file \(path) is invalid: \(Self.describe(error))")
        }
        try file.validate()
        return file
    }

    func validate() throws {
        guard providers?.isEmpty != true else {
            throw ConfigurationError(name: "TAOGATE_CONFIG", problem: "has an empty providers list (leave it out to use TAOTOKEN_*)")
        }
        guard providers != nil || pricing != nil else {
            throw ConfigurationError(name: "TAOGATE_CONFIG", problem: "lists no providers and no pricing")
        }
        _ = try Prices(file: self)
        var names = Set<String>()
        for provider in providers ?? [] {
            guard names.insert(provider.name).inserted, !provider.name.isEmpty else {
                throw ConfigurationError(name: "TAOGATE_CONFIG", problem: "has a missing or repeated provider name \"\(provider.name)\"")
            }
            guard let url = URL(string: provider.baseURL), ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
                throw ConfigurationError(name: "TAOGATE_CONFIG", problem: "provider \(provider.name) needs an http(s) base_url")
            }
            guard !provider.keys.isEmpty, provider.keys.allSatisfy({ ($0.weight ?? 1) > 0 }) else {
                throw ConfigurationError(name: "TAOGATE_CONFIG", problem: "provider \(provider.name) needs keys with positive weights")
            }
            if let apis = provider.apis, apis.isEmpty {
                throw ConfigurationError(name: "TAOGATE_CONFIG", problem: "provider \(provider.name) lists no apis")
            }
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \(Self.path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(Self.path(context.codingPath))"
        case DecodingError.dataCorrupted(let context):
            return "unreadable at \(Self.path(context.codingPath))"
        default:
            return "not valid YAML or JSON"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
