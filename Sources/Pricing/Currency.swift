/// The one currency a site charges in: an ISO 4217 code (or `points`) and the number of
/// decimal digits of its minor unit (its *exponent*).
///
/// `EUR` has exponent 2 (1.05 EUR is 105 minor units, cents); `points` has exponent 0
/// (12 points is 12 minor units).
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    /// The code people see after an amount: `EUR`, `USD`, … or `points`.
    public let code: String
    /// Digits after the decimal point of the minor unit (0 for points, 2 for EUR).
    public let exponent: Int

    /// The largest exponent accepted. Together with ``ExactAmount/extraDigits`` it bounds the
    /// precision of rates (EUR rates may carry 2 + 4 = 6 decimals).
    public static let maximumExponent = 4

    /// Creates a currency after checking the code (three letters A–Z, or `points`) and the
    /// exponent (0 through ``maximumExponent``).
    public init(code: String, exponent: Int) throws(MoneyError) {
        guard Currency.isValidCode(code) else {
            throw .invalidCurrency(code: code, reason: "use a three-letter ISO 4217 code such as EUR, or points")
        }
        guard (0...Currency.maximumExponent).contains(exponent) else {
            throw .invalidCurrency(code: code, reason: "decimals must be between 0 and \(Currency.maximumExponent), not \(exponent)")
        }
        self.code = code
        self.exponent = exponent
    }

    private init(checkedCode code: String, exponent: Int) {
        self.code = code
        self.exponent = exponent
    }

    /// Euro, 2 decimals.
    public static let eur = Currency(checkedCode: "EUR", exponent: 2)
    /// US dollar, 2 decimals.
    public static let usd = Currency(checkedCode: "USD", exponent: 2)
    /// Pound sterling, 2 decimals.
    public static let gbp = Currency(checkedCode: "GBP", exponent: 2)
    /// Swiss franc, 2 decimals.
    public static let chf = Currency(checkedCode: "CHF", exponent: 2)
    /// Print points (Pharos-style credits), no decimals.
    public static let points = Currency(checkedCode: "points", exponent: 0)

    /// Currencies whose exponent Tollgate knows without being told.
    public static let wellKnown: [Currency] = [.eur, .usd, .gbp, .chf, .points]

    /// The well-known currency with this code (case-insensitive), if any.
    public static func wellKnown(code: String) -> Currency? {
        wellKnown.first { $0.code.lowercased() == code.lowercased() }
    }

    /// `true` for the `points` pseudo-currency.
    public var isPoints: Bool { code == "points" }

    public var description: String { code }

    /// The unit written after an amount for people: `EUR`, `points`, or `point` for exactly ±1.
    func unitLabel(isSingular: Bool) -> String {
        isPoints && isSingular ? "point" : code
    }

    /// Whether `text` names this currency (case-insensitive; `point` is accepted for points).
    func isNamed(by text: String) -> Bool {
        let lowered = text.lowercased()
        if isPoints { return lowered == "points" || lowered == "point" }
        return lowered == code.lowercased()
    }

    private static func isValidCode(_ code: String) -> Bool {
        if code == "points" { return true }
        let scalars = code.unicodeScalars
        return scalars.count == 3 && scalars.allSatisfy { ("A"..."Z").contains($0) }
    }
}
