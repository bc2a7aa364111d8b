import Configuration
import Foundation
import Logging

/// Reads settings by their environment-variable names and turns bad values into
/// `ConfigurationError`s that name the variable.
struct SettingsReader {
    private let reader: ConfigReader

    init(_ reader: ConfigReader) {
        self.reader = reader
    }

    /// A non-empty, trimmed value, or nil.
    func string(_ name: String, secret: Bool = false) -> String? {
        let key = ConfigKey(name.lowercased().split(separator: "_").map(String.init))
        guard let value = reader.string(forKey: key, isSecret: secret) else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    func list(_ name: String, secret: Bool = false) -> [String]? {
        guard let text = string(name, secret: secret) else { return nil }
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return items.isEmpty ? nil : items
    }

    func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                name: name,
                problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\""
            )
        }
        return value
    }

    func milliseconds(_ name: String, default defaultValue: Int, allowZero: Bool = false) throws -> Duration {
        guard let text = string(name) else { return .milliseconds(defaultValue) }
        guard let value = Int(text), value > 0 || (allowZero && value == 0), value <= 86_400_000 else {
            throw ConfigurationError(
                name: name,
                problem: "must be a number of milliseconds \(allowZero ? "from 0" : "from 1") to 86400000, got \"\(text)\""
            )
        }
        return .milliseconds(value)
    }

    /// `false` (0), `true` (1), or a number of trusted proxy hops.
    func proxyHops(_ name: String) throws -> Int {
        guard let text = string(name)?.lowercased() else { return 0 }
        switch text {
        case "1", "true", "yes", "on": return 1
        case "0", "false", "no", "off": return 0
        default:
            guard let hops = Int(text), (0...16).contains(hops) else {
                throw ConfigurationError(name: name, problem: "must be true, false or a number of trusted proxies from 0 to 16, got \"\(text)\"")
            }
            return hops
        }
    }

    func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let text = string(name)?.lowercased() else { return defaultValue }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(name: name, problem: "must be true or false, got \"\(text)\"")
        }
    }

    func choice<Value: RawRepresentable<String> & CaseIterableNames>(_ name: String, default defaultValue: Value) throws -> Value {
        guard let text = string(name) else { return defaultValue }
        guard let value = Value(rawValue: text.lowercased()) else {
            throw ConfigurationError(name: name, problem: "must be one of \(Value.allNames.joined(separator: ", ")), got \"\(text)\"")
        }
        return value
    }

    /// A comma list of API names (`chat`, `messages`, `responses`, `embeddings`).
    func apis(_ name: String) throws -> Set<ProviderAPI>? {
        guard let names = list(name) else { return nil }
        return Set(
            try names.map { text in
                guard let api = ProviderAPI(rawValue: text.lowercased()) else {
                    throw ConfigurationError(
                        name: name,
                        problem: "must list APIs from \(ProviderAPI.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\""
                    )
                }
                return api
            }
        )
    }

    func url(_ name: String, default defaultValue: String) throws -> String {
        guard let text = string(name) else { return defaultValue }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host?.isEmpty == false
        else {
            throw ConfigurationError(name: name, problem: "must be an http:// or https:// URL, got \"\(text)\"")
        }
        return text
    }
}
