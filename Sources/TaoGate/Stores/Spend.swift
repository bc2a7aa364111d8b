/// What a client key has used over some time: tokens, and money per currency.
public struct Spend: Sendable, Equatable {
    public var tokens: Int = 0
    public var costs: [Currency: Double] = [:]

    public init(tokens: Int = 0, costs: [Currency: Double] = [:]) {
        self.tokens = tokens
        self.costs = costs
    }

    mutating func add(_ other: Spend) {
        tokens += other.tokens
        for (currency, amount) in other.costs { costs[currency, default: 0] += amount }
    }

    mutating func add(_ record: UsageRecord) {
        tokens += record.totalTokens
        if let cost = record.cost, let currency = record.currency { costs[currency, default: 0] += cost }
    }
}
