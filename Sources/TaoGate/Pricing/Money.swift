/// An amount in a currency.
public struct Money: Sendable, Equatable {
    public var amount: Double
    public var currency: Currency

    public init(amount: Double, currency: Currency) {
        self.amount = amount
        self.currency = currency
    }

    /// The amount as the API shows it: to ten decimal places, so that sums of many small costs
    /// read as numbers rather than as floating-point noise.
    public static func shown(_ amount: Double) -> Double {
        (amount * 1e10).rounded() / 1e10
    }
}
