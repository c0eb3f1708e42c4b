/// An exact amount with more precision than the currency's minor unit, for rates and for the
/// line amounts of a quote: a signed 64-bit count of 1/10 000 of a minor unit.
///
/// `0.035 EUR` (3.5 cents a page) is `35_000` scaled units. Only a job's total is rounded to
/// minor units, once, by ``roundedToMinorUnits()``.
public struct ExactAmount: Hashable, Sendable, CustomStringConvertible {
    /// Decimal digits of precision beyond the currency's minor unit.
    public static let extraDigits = 4
    /// Scaled units in one minor unit (10^``extraDigits``).
    public static let unitsPerMinorUnit: Int64 = 10_000

    /// The amount in 1/10 000 of a minor unit.
    public let scaledUnits: Int64
    /// The currency of the amount.
    public let currency: Currency

    /// Creates an amount of `scaledUnits` ten-thousandths of a minor unit of `currency`.
    public init(scaledUnits: Int64, currency: Currency) {
        self.scaledUnits = scaledUnits
        self.currency = currency
    }

    /// Zero in `currency`.
    public static func zero(_ currency: Currency) -> ExactAmount {
        ExactAmount(scaledUnits: 0, currency: currency)
    }

    /// Reads a rate a person wrote: `0.035 EUR`, `0.035` when `unit` is `.optional`, `2 points`.
    /// At most `currency.exponent + 4` significant decimals (6 for EUR).
    public init(parsing text: String, currency: Currency, unit: AmountUnitRule = .required) throws(MoneyError) {
        let value = try DecimalText.parse(
            text, currency: currency, scale: currency.exponent + ExactAmount.extraDigits, unit: unit.rule)
        self.init(scaledUnits: value, currency: currency)
    }

    /// `true` below zero.
    public var isNegative: Bool { scaledUnits < 0 }

    /// The sum, or an error on overflow or mixed currencies.
    public func adding(_ other: ExactAmount) throws(MoneyError) -> ExactAmount {
        guard currency == other.currency else { throw .currencyMismatch(currency.code, other.currency.code) }
        let (sum, overflow) = scaledUnits.addingReportingOverflow(other.scaledUnits)
        guard !overflow else { throw .overflow(operation: "\(self) + \(other)") }
        return ExactAmount(scaledUnits: sum, currency: currency)
    }

    /// The difference, or an error on overflow or mixed currencies.
    public func subtracting(_ other: ExactAmount) throws(MoneyError) -> ExactAmount {
        guard currency == other.currency else { throw .currencyMismatch(currency.code, other.currency.code) }
        let (difference, overflow) = scaledUnits.subtractingReportingOverflow(other.scaledUnits)
        guard !overflow else { throw .overflow(operation: "\(self) - \(other)") }
        return ExactAmount(scaledUnits: difference, currency: currency)
    }

    /// The amount times `quantity` (a count of sides, sheets, copies), or an error on overflow.
    public func multiplied(by quantity: Int64) throws(MoneyError) -> ExactAmount {
        let (product, overflow) = scaledUnits.multipliedReportingOverflow(by: quantity)
        guard !overflow else { throw .overflow(operation: "\(quantity) × \(self)") }
        return ExactAmount(scaledUnits: product, currency: currency)
    }

    /// Rounds to minor units, half-up on the magnitude (half away from zero):
    /// 0.005 EUR → 0.01 EUR, 0.00499 EUR → 0.00 EUR, −0.005 EUR → −0.01 EUR.
    ///
    /// Rounding the magnitude keeps a refund the exact opposite of its charge. It cannot overflow:
    /// the result is 10 000 times smaller than the input.
    public func roundedToMinorUnits() -> Money {
        let quotient = scaledUnits / ExactAmount.unitsPerMinorUnit    // truncates toward zero
        let remainder = scaledUnits % ExactAmount.unitsPerMinorUnit   // same sign as scaledUnits
        let half = ExactAmount.unitsPerMinorUnit / 2
        var minor = quotient
        if remainder >= half { minor += 1 }
        if remainder <= -half { minor -= 1 }
        return Money(minorUnits: minor, currency: currency)
    }

    /// `true` when the amount is a whole number of minor units.
    public var isWholeMinorUnits: Bool { scaledUnits % ExactAmount.unitsPerMinorUnit == 0 }

    /// The number alone, with at least the currency's decimals: `0.035`, `1.60`, `-0.004`.
    public var formattedNumber: String {
        DecimalText.format(
            scaledUnits, scale: currency.exponent + ExactAmount.extraDigits, minimumFractionDigits: currency.exponent)
    }

    /// For people: `0.035 EUR`, `1.60 EUR`, `0.5 points`.
    public var description: String {
        let singular = currency.exponent == 0 && scaledUnits.magnitude == UInt64(ExactAmount.unitsPerMinorUnit)
        return "\(formattedNumber) \(currency.unitLabel(isSingular: singular))"
    }
}
