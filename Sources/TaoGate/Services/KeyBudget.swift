import Foundation

/// A limit on what one client key may spend over a period: tokens, or money in one currency.
///
/// As JSON: `{"period": "daily", "tokens": 100000}` or
/// `{"period": "monthly", "amount": 50, "currency": "CNY"}`. Periods are calendar days and months
/// in USAGE_TIME_ZONE; `total` never resets.
public struct KeyBudget: Sendable, Equatable, Hashable, Codable {
    public enum Period: String, Sendable, Codable, CaseIterable, Hashable {
        case total, daily, monthly
    }

    public enum Limit: Sendable, Equatable, Hashable {
        case tokens(Int)
        case money(Double, Currency)
    }

    public var period: Period
    public var limit: Limit

    public init(period: Period, limit: Limit) {
        self.period = period
        self.limit = limit
    }

    public static func tokens(_ count: Int, per period: Period = .total) -> KeyBudget {
        KeyBudget(period: period, limit: .tokens(count))
    }

    public static func money(_ amount: Double, _ currency: Currency, per period: Period = .total) -> KeyBudget {
        KeyBudget(period: period, limit: .money(amount, currency))
    }

    /// What the budget counts, one budget per kind and period: `daily:tokens`, `monthly:CNY`.
    var kind: String {
        switch limit {
        case .tokens: "\(period.rawValue):tokens"
        case .money(_, let currency): "\(period.rawValue):\(currency.rawValue)"
        }
    }

    /// The limit as a number, in tokens or in the currency.
    var amount: Double {
        switch limit {
        case .tokens(let count): Double(count)
        case .money(let amount, _): amount
        }
    }

    /// How much of this budget `spend` uses.
    func used(in spend: Spend) -> Double {
        switch limit {
        case .tokens: Double(spend.tokens)
        case .money(_, let currency): spend.costs[currency] ?? 0
        }
    }

    enum CodingKeys: String, CodingKey {
        case period, tokens, amount, currency
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        period = try container.decode(Period.self, forKey: .period)
        let tokens = try container.decodeIfPresent(Int.self, forKey: .tokens)
        let amount = try container.decodeIfPresent(Double.self, forKey: .amount)
        let currency = try container.decodeIfPresent(Currency.self, forKey: .currency)
        switch (tokens, amount, currency) {
        case (let tokens?, nil, nil) where tokens > 0:
            limit = .tokens(tokens)
        case (nil, let amount?, let currency?) where amount > 0 && amount.isFinite:
            limit = .money(amount, currency)
        default:
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a budget has tokens (a positive whole number), or amount (positive) and currency (CNY or USD)"
                )
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(period, forKey: .period)
        switch limit {
        case .tokens(let count):
            try container.encode(count, forKey: .tokens)
        case .money(let amount, let currency):
            try container.encode(amount, forKey: .amount)
            try container.encode(currency, forKey: .currency)
        }
    }
}
