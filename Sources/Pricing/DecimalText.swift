/// Reading and writing signed fixed-point decimals (`-12.345`) without floating point.
///
/// A value is an `Int64` count of 10^-`scale` units: with scale 2, `105` is `1.05`.
enum DecimalText {
    /// Whether an amount must name its currency.
    enum UnitRule { case required, optional }

    /// Parses `text` (`"1.05 EUR"`, `"-0.50"`, `"12 points"`) into a count of 10^-`scale` units.
    static func parse(
        _ text: String, currency: Currency, scale: Int, unit: UnitRule
    ) throws(MoneyError) -> Int64 {
        let trimmed = text.trimmingBlanks()
        guard !trimmed.isEmpty else { throw .empty }
        let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard words.count <= 2 else { throw .malformed(text: trimmed) }
        let number = words[0]

        if words.count == 2 {
            let unitText = words[1]
            if !currency.isNamed(by: unitText) {
                guard isUnitLike(unitText) else { throw .malformed(text: trimmed) }
                throw .wrongCurrency(text: trimmed, found: unitText, expected: currency.code)
            }
        } else if unit == .required {
            // A bare number: tell the person which unit to add, unless it isn't a number at all.
            guard isNumberLike(number) else { throw .malformed(text: trimmed) }
            throw .missingCurrency(text: trimmed, expected: currency.code)
        }

        var digits = Substring(number)
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit) else {
            throw .malformed(text: trimmed)
        }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || (!fraction.isEmpty && fraction.allSatisfy(\.isASCIIDigit)) else {
            throw .malformed(text: trimmed)
        }
        // Trailing zeros beyond the scale are harmless (1.050 EUR is 1.05 EUR).
        let significantFraction = fraction.reversed().drop(while: { $0 == "0" }).reversed()
        guard significantFraction.count <= scale else {
            throw .tooManyDecimals(text: trimmed, allowed: scale, currency: currency.code)
        }

        var value: Int64 = 0
        let paddedFraction = Array(significantFraction) + Array(repeating: Character("0"), count: scale - significantFraction.count)
        for character in Array(whole) + paddedFraction {
            let digit = Int64(character.asciiValue! - UInt8(ascii: "0"))
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            // Accumulate negatives as negatives so Int64.min itself is reachable.
            let (next, o2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !o1, !o2 else { throw .outOfRange(text: trimmed) }
            value = next
        }
        return value
    }

    /// Writes `value` (in 10^-`scale` units) with at least `minimumFractionDigits` decimals and
    /// no trailing zeros beyond them: `format(35_000, scale: 6, minimumFractionDigits: 2)` is `0.035`.
    static func format(_ value: Int64, scale: Int, minimumFractionDigits: Int) -> String {
        let magnitude = value.magnitude  // UInt64: no trap on Int64.min
        var divisor: UInt64 = 1
        for _ in 0..<scale { divisor *= 10 }
        let whole = magnitude / divisor
        var fraction = scale == 0 ? "" : String(magnitude % divisor)
        fraction = String(repeating: "0", count: scale - fraction.count) + fraction
        while fraction.count > minimumFractionDigits, fraction.last == "0" {
            fraction.removeLast()
        }
        let sign = value < 0 ? "-" : ""
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }

    private static func isNumberLike(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCIIDigit || $0 == "." || $0 == "-" }
    }

    private static func isUnitLike(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isLetter }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    func trimmingBlanks() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
