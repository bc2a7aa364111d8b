import ArgumentParser
import Foundation
import Logging
import TaoGate

/// `taogate keys create|list|revoke`: client keys in the database named by DATABASE_URL.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke client keys (stored as hashes in DATABASE_URL).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; it is shown once.")

        @Option(help: "A name to recognise the key by.")
        var name: String

        @Option(help: "Requests per rate-limit window for this key (default RATE_LIMIT_MAX).")
        var rateLimit: Int?

        @Option(help: "Total tokens the key may use.")
        var tokenBudget: Int?

        @Option(help: "Requests of the key that may be in flight at once.")
        var maxConcurrent: Int?

        @Option(help: "The .env file to read.")
        var envFile: String = ".env"

        func run() async throws {
            guard !name.isEmpty, [rateLimit, tokenBudget, maxConcurrent].allSatisfy({ $0.map { $0 > 0 } ?? true }) else {
                throw ValidationError("the name must not be empty, and limits must be positive")
            }
            try await withStores(envFile: envFile) { stores in
                let keys = ClientKeys(configured: [], store: stores.keys)
                let (record, secret) = try await keys.create(
                    name: name,
                    rateLimit: rateLimit,
                    tokenBudget: tokenBudget,
                    maxConcurrent: maxConcurrent
                )
                print(secret)
                printToStandardError("Created key \(record.id) (\(record.name)). Store it now: it is not shown again.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never the keys themselves).")

        @Option(help: "The .env file to read.")
        var envFile: String = ".env"

        func run() async throws {
            try await withStores(envFile: envFile) { stores in
                let format = ISO8601DateFormatter()
                print(["id", "name", "prefix", "created", "status", "rate_limit", "token_budget", "max_concurrent"].joined(separator: "\t"))
                for key in try await stores.keys.all() {
                    let status = key.revokedAt.map { "revoked \(format.string(from: $0))" } ?? "active"
                    let row = [
                        key.id, key.name, key.prefix, format.string(from: key.createdAt), status,
                        key.rateLimit.map(String.init) ?? "-", key.tokenBudget.map(String.init) ?? "-",
                        key.maxConcurrent.map(String.init) ?? "-",
                    ]
                    print(row.joined(separator: "\t"))
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id or prefix.")

        @Argument(help: "The key's id (ck_…) or its prefix (tg_…), which must name one active key.")
        var key: String

        @Option(help: "The .env file to read.")
        var envFile: String = ".env"

        func run() async throws {
            try await withStores(envFile: envFile) { stores in
                switch try await stores.keys.revoke(key, at: Date()) {
                case .revoked(let id):
                    printToStandardError("Revoked \(id).")
                case .notFound:
                    printToStandardError("taogate: no active key \(key)")
                    throw ExitCode.failure
                case .ambiguous(let matches):
                    printToStandardError("taogate: \(key) matches \(matches) active keys; give the key's id (ck_…) or a longer prefix")
                    throw ExitCode.failure
                }
            }
        }
    }
}

/// Opens the stores of DATABASE_URL (migrating them), runs `body`, closes them.
func withStores(envFile: String, _ body: (GatewayStores) async throws -> Void) async throws {
    let dotEnv = FileManager.default.fileExists(atPath: envFile) ? try? String(contentsOfFile: envFile, encoding: .utf8) : nil
    let configuration: GatewayConfiguration
    do {
        configuration = try GatewayConfiguration.load(dotEnv: dotEnv, demo: true)
    } catch {
        throw exitForConfiguration(error)
    }
    let stores = try await openStores(configuration.database)
    do {
        try await body(stores)
    } catch {
        try? await stores.close()
        throw error
    }
    try await stores.close()
}

/// Opens the stores, or exits with one line saying why not.
func openStores(_ location: DatabaseLocation) async throws -> GatewayStores {
    do {
        return try await GatewayStores.open(location, logger: Logger(label: "taogate-db") { _ in SwiftLogNoOpLogHandler() })
    } catch {
        printToStandardError("taogate: database unavailable: \(String(describing: error).prefix(300))")
        throw ExitCode(69)  // EX_UNAVAILABLE
    }
}
