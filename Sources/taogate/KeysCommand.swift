import ArgumentParser
import Foundation
import Logging
import TaoGate

/// `taogate keys create|list|update|revoke`: client keys in the database named by DATABASE_URL,
/// checked by the same code as the admin API's (`KeyChanges`).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list, change and revoke client keys (stored as hashes in DATABASE_URL).",
        subcommands: [Create.self, List.self, Update.self, Revoke.self]
    )

    /// The limits a key can be given on the command line.
    struct LimitOptions: ParsableArguments {
        @Option(help: "Who the key is for.")
        var owner: String?

        @Option(help: "Anything to remember about the key.")
        var note: String?

        @Option(help: "Requests per rate-limit window for this key (default RATE_LIMIT_MAX).")
        var rateLimit: Int?

        @Option(help: "Requests of the key that may be in flight at once.")
        var maxConcurrent: Int?

        @Option(help: "Total tokens the key may use (the same as --budget total:tokens:N).")
        var tokenBudget: Int?

        @Option(
            help: ArgumentHelp(
                "A budget, PERIOD:UNIT:AMOUNT, repeatable: total, daily or monthly; tokens, CNY or USD.",
                discussion: "For example --budget daily:tokens:200000 --budget monthly:CNY:50"
            )
        )
        var budget: [String] = []

        @Option(help: "Models the key may call, comma-separated; a trailing * matches by prefix (qwen-*).")
        var models: String?

        @Option(help: "When the key stops working: an ISO 8601 time or date (2027-01-01).")
        var expires: String?

        /// The changes these options ask for, checked as the admin API checks them.
        func changes(name: String?) throws -> KeyChanges {
            var changes = KeyChanges()
            changes.name = name
            if let owner { changes.owner = .some(owner) }
            if let note { changes.note = .some(note) }
            if let rateLimit { changes.rateLimit = .some(rateLimit) }
            if let maxConcurrent { changes.maxConcurrent = .some(maxConcurrent) }
            var budgets = try budget.map(Self.budget)
            if let tokenBudget { budgets.append(.tokens(tokenBudget)) }
            if !budgets.isEmpty { changes.budgets = .some(budgets) }
            if let models {
                changes.allowedModels = .some(models.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
            }
            if let expires {
                guard let date = KeyChanges.date(expires) else { throw ValidationError("--expires must be an ISO 8601 time or date") }
                changes.expiresAt = .some(date)
            }
            do {
                try changes.validate()
            } catch {
                throw ValidationError(error.description)
            }
            return changes
        }

        /// `daily:tokens:100000`, `monthly:CNY:50`.
        static func budget(_ text: String) throws -> KeyBudget {
            let parts = text.split(separator: ":").map(String.init)
            guard parts.count == 3, let period = KeyBudget.Period(rawValue: parts[0]) else {
                throw ValidationError("--budget \(text) is not PERIOD:UNIT:AMOUNT (total, daily or monthly; tokens, CNY or USD)")
            }
            if parts[1] == "tokens", let count = Int(parts[2]), count > 0 { return .tokens(count, per: period) }
            if let currency = Currency(rawValue: parts[1]), let amount = Double(parts[2]), amount > 0, amount.isFinite {
                return .money(amount, currency, per: period)
            }
            throw ValidationError("--budget \(text) needs a positive amount of tokens, CNY or USD")
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; it is shown once.")

        @Option(help: "A name to recognise the key by.")
        var name: String

        @OptionGroup var limits: LimitOptions

        @Option(help: "The .env file to read.")
        var envFile: String = ".env"

        func run() async throws {
            let changes = try limits.changes(name: name)
            try await withStores(envFile: envFile) { stores in
                let keys = ClientKeys(configured: [], store: stores.keys)
                let (record, secret) = try await keys.create(
                    name: name,
                    limits: changes.limits,
                    owner: limits.owner,
                    note: limits.note
                )
                print(secret)
                printToStandardError("Created key \(record.id) (\(record.name)). Store it now: it is not shown again.")
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a key's name, limits, budgets, models or expiry.")

        @Argument(help: "The key's id (ck_…).")
        var id: String

        @Option(help: "A new name.")
        var name: String?

        @OptionGroup var limits: LimitOptions

        @Flag(help: "Remove every budget of the key.")
        var clearBudgets = false

        @Flag(help: "Let the key call any model.")
        var anyModel = false

        @Option(help: "The .env file to read.")
        var envFile: String = ".env"

        func run() async throws {
            var changes = try limits.changes(name: name)
            if clearBudgets { changes.budgets = .some(nil) }
            if anyModel { changes.allowedModels = .some(nil) }
            try await withStores(envFile: envFile) { stores in
                guard let record = try await stores.keys.key(id: id), record.isActive,
                    try await stores.keys.update(changes.applied(to: record))
                else {
                    printToStandardError("taogate: no active key \(id)")
                    throw ExitCode.failure
                }
                printToStandardError("Updated \(id).")
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
                let header = [
                    "id", "name", "prefix", "created", "status", "owner", "rate_limit", "max_concurrent", "budgets", "models", "expires",
                ]
                print(header.joined(separator: "\t"))
                let now = Date()
                for key in try await stores.keys.all() {
                    let limits = key.limits
                    let status =
                        key.revokedAt.map { "revoked \(format.string(from: $0))" } ?? (limits.hasExpired(at: now) ? "expired" : "active")
                    let budgets = limits.budgets.map { budget -> String in
                        switch budget.limit {
                        case .tokens(let count): "\(budget.period.rawValue):tokens:\(count)"
                        case .money(let amount, let currency): "\(budget.period.rawValue):\(currency.rawValue):\(amount)"
                        }
                    }
                    var row: [String] = [key.id, key.name, key.prefix, format.string(from: key.createdAt), status, key.owner ?? "-"]
                    row.append(limits.rateLimit.map(String.init) ?? "-")
                    row.append(limits.maxConcurrent.map(String.init) ?? "-")
                    row.append(budgets.isEmpty ? "-" : budgets.joined(separator: ","))
                    row.append(limits.allowedModels?.joined(separator: ",") ?? "*")
                    row.append(limits.expiresAt.map { format.string(from: $0) } ?? "-")
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
