/// The currency of a price table and of the costs and budgets priced with it.
public enum Currency: String, Sendable, Codable, CaseIterable, Comparable {
    case CNY, USD

    public static func < (lhs: Currency, rhs: Currency) -> Bool { lhs.rawValue < rhs.rawValue }
}
