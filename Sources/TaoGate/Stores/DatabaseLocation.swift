import Foundation

/// Where the stores live, from DATABASE_URL: `memory:`, `sqlite:PATH` or `postgres://…`.
///
/// Its description never holds a password: `postgres://taogate:***@db:5432/taogate`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case memory
    case sqlite(path: String)
    case postgres(url: String)

    public init(_ text: String) throws {
        if text == "memory:" {
            self = .memory
        } else if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else {
                throw ConfigurationError(name: "DATABASE_URL", problem: "needs a file after sqlite:, e.g. sqlite:./data/taogate.sqlite")
            }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            _ = try PostgresTLSMode(url: text)
            self = .postgres(url: text)
        } else {
            throw ConfigurationError(name: "DATABASE_URL", problem: "must be memory:, sqlite:PATH or postgres://…")
        }
    }
}

extension DatabaseLocation {
    public var description: String {
        switch self {
        case .memory: return "memory:"
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url):
            guard var components = URLComponents(string: url) else { return "postgres://…" }
            if components.password != nil { components.password = "***" }
            return components.string ?? "postgres://…"
        }
    }
}

/// `sslmode` of a PostgreSQL URL, with libpq's meanings: `disable` (no TLS), `prefer` (TLS if the
/// server offers it, unverified; the default), `require` (TLS, unverified), `verify-ca` (TLS with a
/// certificate of a trusted authority), `verify-full` (that, and the certificate names the host).
/// Anything else is refused at startup: a typo must not quietly become `prefer`.
public enum PostgresTLSMode: String, Sendable, CaseIterable {
    case disable, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"

    init(url: String) throws {
        let value = URLComponents(string: url)?.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard let mode = PostgresTLSMode(rawValue: value) else {
            throw ConfigurationError(
                name: "DATABASE_URL",
                problem: "has sslmode=\(value); use one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        self = mode
    }
}
