/// An exact amount of the site currency: a signed 64-bit count of minor units (cents for EUR,
/// points for `points`). Never floating point.
///
/// Arithmetic is overflow-checked and throws ``MoneyError/overflow(operation:)`` instead of
/// trapping; combining two currencies throws ``MoneyError/currencyMismatch(_:_:)``.
/// Negative amounts are allowed (credits, refunds, adjustments).
public struct Money: Hashable, Sendable, CustomStringConvertible {
    /// The amount in minor units (105 for 1.05 EUR).
    public let minorUnits: Int64
    /// The currency of the amount.
    public let currency: Currency

    /// Creates an amount of `minorUnits` minor units of `currency`.
    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Zero in `currency`.
    public static func zero(_ currency: Currency) -> Money {
        Money(minorUnits: 0, currency: currency)
    }

    /// Reads an amount a person wrote: `1.05 EUR`, `-0.50 EUR`, `12 points`, or `1.05` when
    /// `unit` is `.optional`. At most `currency.exponent` significant decimals.
    public init(parsing text: String, currency: Currency, unit: AmountUnitRule = .required) throws(MoneyError) {
        let value = try DecimalText.parse(text, currency: currency, scale: currency.exponent, unit: unit.rule)
        self.init(minorUnits: value, currency: currency)
    }

    /// `true` below zero.
    public var isNegative: Bool { minorUnits < 0 }
    /// `true` at zero.
    public var isZero: Bool { minorUnits == 0 }

    /// The sum, or an error on overflow or mixed currencies.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        try checkSameCurrency(other)
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow(operation: "\(self) + \(other)") }
        return Money(minorUnits: sum, currency: currency)
    }

    /// The difference, or an error on overflow or mixed currencies.
    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        try checkSameCurrency(other)
        let (difference, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow(operation: "\(self) - \(other)") }
        return Money(minorUnits: difference, currency: currency)
    }

    /// The amount times `factor`, or an error on overflow.
    public func multiplied(by factor: Int64) throws(MoneyError) -> Money {
        let (product, overflow) = minorUnits.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw .overflow(operation: "\(self) × \(factor)") }
        return Money(minorUnits: product, currency: currency)
    }

    /// The opposite amount, or an error for the one value without an opposite (`Int64.min`).
    public func negated() throws(MoneyError) -> Money {
        try Money.zero(currency).subtracting(self)
    }

    /// Whether this amount is smaller than `other` (same currency required).
    public func isLess(than other: Money) throws(MoneyError) -> Bool {
        try checkSameCurrency(other)
        return minorUnits < other.minorUnits
    }

    /// The same amount with sub-minor precision.
    public func exact() throws(MoneyError) -> ExactAmount {
        let (units, overflow) = minorUnits.multipliedReportingOverflow(by: ExactAmount.unitsPerMinorUnit)
        guard !overflow else { throw .overflow(operation: "\(self) at rate precision") }
        return ExactAmount(scaledUnits: units, currency: currency)
    }

    /// For people: `1.05 EUR`, `-0.50 EUR`, `12 points`, `1 point`.
    public var description: String {
        let number = DecimalText.format(minorUnits, scale: currency.exponent, minimumFractionDigits: currency.exponent)
        return "\(number) \(currency.unitLabel(isSingular: minorUnits.magnitude == 1 && currency.exponent == 0))"
    }

    private func checkSameCurrency(_ other: Money) throws(MoneyError) {
        guard currency == other.currency else { throw .currencyMismatch(currency.code, other.currency.code) }
    }
}

/// Whether an amount written by a person must name its currency.
public enum AmountUnitRule: Hashable, Sendable {
    /// `1.05` is rejected; write `1.05 EUR`.
    case required
    /// `1.05` is read in the expected currency; `1.05 EUR` is accepted too, `1.05 USD` is not.
    case optional

    var rule: DecimalText.UnitRule { self == .required ? .required : .optional }
}
