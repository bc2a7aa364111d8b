/// Where the stores live, from DATABASE_URL: `memory:`, `sqlite:PATH` or `postgres://…`.
public enum DatabaseLocation: Sendable, Equatable {
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
            self = .postgres(url: text)
        } else {
            throw ConfigurationError(name: "DATABASE_URL", problem: "must be memory:, sqlite:PATH or postgres://…")
        }
    }
}
