import Foundation
import LLMClient

/// What an operator sets on a client key, checked once for both the admin API (its JSON) and
/// `taogate keys` (its flags). A field left nil stays as it is; `.some(nil)` clears it.
public struct KeyChanges: Sendable, Equatable {
    public var name: String?
    public var owner: String??
    public var note: String??
    public var rateLimit: Int??
    public var maxConcurrent: Int??
    /// `.some([])` and `.some(nil)` both leave the key without budgets.
    public var budgets: [KeyBudget]??
    public var allowedModels: [String]??
    public var expiresAt: Date??

    public init() {}

    /// A problem with one field, said in a way an operator can act on.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let field: String
        public let problem: String
        public var description: String { "\(field) \(problem)" }
    }

    static let fields: Set<String> = ["name", "owner", "note", "rate_limit", "max_concurrent", "budgets", "allowed_models", "expires_at"]

    /// The changes a JSON object asks for; every member must be known and valid.
    public init(json: JSONValue, now: Date = Date()) throws(Invalid) {
        guard let members = json.objectValue else { throw Invalid(field: "body", problem: "must be a JSON object") }
        if let unknown = members.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw Invalid(field: unknown, problem: "is not a key field (use \(Self.fields.sorted().joined(separator: ", ")))")
        }
        if let value = members["name"] {
            guard case .string(let name) = value else { throw Invalid(field: "name", problem: "must be a string") }
            self.name = name
        }
        owner = try Self.optional(members, "owner") { value throws(Invalid) in try Self.text(value, field: "owner") }
        note = try Self.optional(members, "note") { value throws(Invalid) in try Self.text(value, field: "note") }
        rateLimit = try Self.optional(members, "rate_limit") { value throws(Invalid) in try Self.positive(value, field: "rate_limit") }
        maxConcurrent = try Self.optional(members, "max_concurrent") { value throws(Invalid) in
            try Self.positive(value, field: "max_concurrent")
        }
        budgets = try Self.optional(members, "budgets") { value throws(Invalid) in
            guard case .array = value, let data = try? JSONEncoder().encode(value) else {
                throw Invalid(field: "budgets", problem: "must be a list of budgets")
            }
            do {
                return try JSONDecoder().decode([KeyBudget].self, from: data)
            } catch {
                throw Invalid(
                    field: "budgets",
                    problem:
                        #"holds a budget that is not {"period": "total|daily|monthly", "tokens": N} or {"period": …, "amount": X, "currency": "CNY|USD"}"#
                )
            }
        }
        allowedModels = try Self.optional(members, "allowed_models") { value throws(Invalid) in
            guard let list = value.arrayValue else { throw Invalid(field: "allowed_models", problem: "must be a list of model names") }
            return try list.map { item throws(Invalid) in
                guard let model = item.stringValue else { throw Invalid(field: "allowed_models", problem: "must be a list of model names") }
                return model
            }
        }
        expiresAt = try Self.optional(members, "expires_at") { value throws(Invalid) in
            guard let text = value.stringValue, let date = Self.date(text) else {
                throw Invalid(field: "expires_at", problem: "must be an ISO 8601 time such as 2027-01-01T00:00:00Z")
            }
            return date
        }
        try validate(now: now)
    }

    /// Checks every field set.
    public func validate(now: Date = Date()) throws(Invalid) {
        if let name {
            guard !name.isEmpty, name.count <= 100, !name.hasControlCharacters else {
                throw Invalid(field: "name", problem: "must be 1 to 100 characters without control characters")
            }
        }
        for (field, value, limit) in [("owner", owner, 200), ("note", note, 1000)] {
            if let text = value ?? nil, text.count > limit || text.hasControlCharacters {
                throw Invalid(field: field, problem: "must be at most \(limit) characters without control characters")
            }
        }
        for (field, value) in [("rate_limit", rateLimit), ("max_concurrent", maxConcurrent)] {
            if let number = value ?? nil, number <= 0 || number > Int(Int32.max) {
                throw Invalid(field: field, problem: "must be a positive whole number")
            }
        }
        if let budgets = budgets ?? nil {
            guard budgets.count <= 10 else { throw Invalid(field: "budgets", problem: "holds more than 10 budgets") }
            var kinds = Set<String>()
            for budget in budgets where !kinds.insert(budget.kind).inserted {
                throw Invalid(field: "budgets", problem: "holds two \(budget.kind.replacingOccurrences(of: ":", with: " ")) budgets")
            }
        }
        if let models = allowedModels ?? nil {
            guard models.count <= 1000 else { throw Invalid(field: "allowed_models", problem: "holds more than 1000 models") }
            for model in models {
                let star = model.firstIndex(of: "*")
                guard !model.isEmpty, model.count <= 256, star == nil || star == model.index(before: model.endIndex),
                    !model.hasControlCharacters
                else {
                    throw Invalid(field: "allowed_models", problem: "holds \"\(model)\": a model is an exact name, or a prefix ending in *")
                }
            }
        }
        if let expires = expiresAt ?? nil, expires <= now {
            throw Invalid(field: "expires_at", problem: "is in the past")
        }
    }

    /// The limits of a new key.
    public var limits: KeyLimits {
        var limits = KeyLimits()
        apply(to: &limits)
        return limits
    }

    /// A key with these changes made.
    public func applied(to record: ClientKeyRecord) -> ClientKeyRecord {
        var record = record
        if let name { record.name = name }
        if let owner { record.owner = owner.flatMap { $0.isEmpty ? nil : $0 } }
        if let note { record.note = note.flatMap { $0.isEmpty ? nil : $0 } }
        apply(to: &record.limits)
        return record
    }

    private func apply(to limits: inout KeyLimits) {
        if let rateLimit { limits.rateLimit = rateLimit }
        if let maxConcurrent { limits.maxConcurrent = maxConcurrent }
        if let budgets { limits.budgets = budgets ?? [] }
        if let allowedModels { limits.allowedModels = allowedModels }
        if let expiresAt { limits.expiresAt = expiresAt }
    }

    // MARK: - Reading JSON

    /// nil when absent, `.some(nil)` when null, else the value read.
    private static func optional<Value>(
        _ members: [String: JSONValue],
        _ field: String,
        _ read: (JSONValue) throws(Invalid) -> Value
    ) throws(Invalid) -> Value?? {
        guard let value = members[field] else { return nil }
        if case .null = value { return .some(nil) }
        return .some(try read(value))
    }

    private static func text(_ value: JSONValue, field: String) throws(Invalid) -> String {
        guard let text = value.stringValue else { throw Invalid(field: field, problem: "must be a string or null") }
        return text
    }

    private static func positive(_ value: JSONValue, field: String) throws(Invalid) -> Int {
        guard case .integer(let number) = value else { throw Invalid(field: field, problem: "must be a positive whole number or null") }
        return number
    }

    /// An ISO 8601 time (`2027-01-01T00:00:00Z`, fractions and offsets allowed) or a date
    /// (`2027-01-01`, its midnight UTC).
    public static func date(_ text: String) -> Date? {
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }
}
