/// What went wrong reading, writing or computing an amount of money.
public enum MoneyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The text was empty or only blanks.
    case empty
    /// The text is not an amount (`abc`, `1,05`, `1.2.3`, `.5`).
    case malformed(text: String)
    /// More decimals than the currency (or a rate in it) can hold.
    case tooManyDecimals(text: String, allowed: Int, currency: String)
    /// The amount names no currency where one is required.
    case missingCurrency(text: String, expected: String)
    /// The amount names another currency than the site's.
    case wrongCurrency(text: String, found: String, expected: String)
    /// The amount does not fit in 64-bit minor units.
    case outOfRange(text: String)
    /// An arithmetic step overflowed 64 bits; nothing was computed.
    case overflow(operation: String)
    /// Two amounts in different currencies were combined.
    case currencyMismatch(String, String)
    /// A currency definition was rejected.
    case invalidCurrency(code: String, reason: String)

    public var description: String {
        switch self {
        case .empty:
            return "no amount given: write an amount such as 1.05 EUR or 12 points"
        case .malformed(let text):
            return "\"\(text)\" is not an amount: write digits with an optional '.' and decimals, such as 1.05 EUR or -0.50 EUR (no thousands separators, no comma)"
        case .tooManyDecimals(let text, let allowed, let currency):
            return "\"\(text)\" has too many decimals: \(currency) allows at most \(allowed) here"
        case .missingCurrency(let text, let expected):
            return "\"\(text)\" names no currency: write it as \"\(text) \(expected)\""
        case .wrongCurrency(let text, let found, let expected):
            return "\"\(text)\" is in \(found), but this site charges in \(expected)"
        case .outOfRange(let text):
            return "\"\(text)\" is too large an amount to handle exactly"
        case .overflow(let operation):
            return "amount too large to compute exactly in 64 bits (\(operation))"
        case .currencyMismatch(let a, let b):
            return "cannot combine amounts in \(a) and \(b)"
        case .invalidCurrency(let code, let reason):
            return "invalid currency \"\(code)\": \(reason)"
        }
    }
}
