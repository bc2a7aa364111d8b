import Foundation

/// What a client key may do: its rate limit, concurrency, budgets, models and lifetime.
public struct KeyLimits: Sendable, Equatable, Codable {
    /// Requests per rate-limit window (else RATE_LIMIT_MAX).
    public var rateLimit: Int?
    /// Requests that may be in flight at once; more get 429.
    public var maxConcurrent: Int?
    /// Tokens or money per period; past one, 429 `budget_exceeded`.
    public var budgets: [KeyBudget]
    /// The models it may call, by exact name or by a prefix ending in `*`; nil: any model.
    public var allowedModels: [String]?
    /// When it stops working; nil: never.
    public var expiresAt: Date?

    public init(
        rateLimit: Int? = nil,
        maxConcurrent: Int? = nil,
        budgets: [KeyBudget] = [],
        allowedModels: [String]? = nil,
        expiresAt: Date? = nil
    ) {
        self.rateLimit = rateLimit
        self.maxConcurrent = maxConcurrent
        self.budgets = budgets
        self.allowedModels = allowedModels
        self.expiresAt = expiresAt
    }

    /// Whether the key may call `model`.
    public func allows(model: String) -> Bool {
        guard let allowedModels else { return true }
        return allowedModels.contains { pattern in
            pattern.hasSuffix("*") ? model.hasPrefix(pattern.dropLast()) : model == pattern
        }
    }

    public func hasExpired(at date: Date) -> Bool {
        expiresAt.map { $0 <= date } ?? false
    }

    /// Whether requests of this key are admitted one by one (`KeyAdmission`).
    var needsAdmission: Bool { maxConcurrent != nil || !budgets.isEmpty }

    /// The budgets' JSON, as the stores keep it (nil when there are none).
    var budgetsJSON: String? {
        guard !budgets.isEmpty, let data = try? JSONEncoder().encode(budgets) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    var allowedModelsJSON: String? {
        guard let allowedModels, let data = try? JSONEncoder().encode(allowedModels) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func budgets(fromJSON text: String?) -> [KeyBudget] {
        guard let text, let budgets = try? JSONDecoder().decode([KeyBudget].self, from: Data(text.utf8)) else { return [] }
        return budgets
    }

    static func models(fromJSON text: String?) -> [String]? {
        guard let text else { return nil }
        return try? JSONDecoder().decode([String].self, from: Data(text.utf8))
    }
}
