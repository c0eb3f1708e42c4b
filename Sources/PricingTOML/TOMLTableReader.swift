import Pricing
import TOMLKit

/// Reads typed values out of one TOML table, turning every problem into a
/// ``RatesCardTOMLError`` that names the line.
struct TOMLTableReader {
    let table: TOMLTable
    let section: TOMLSourceIndex.Section
    /// How messages name the table: `the card`, `rule "a4-mono"`.
    let tableName: String
    let source: TOMLSourceIndex

    func line(of key: String?) -> Int? { source.line(of: key, in: section) }

    /// Rejects keys not in `allowed`.
    func rejectUnknownKeys(allowed: Set<String>) throws(RatesCardTOMLError) {
        for key in table.keys.sorted() where !allowed.contains(key) {
            throw .unknownKey(key: key, table: tableName, line: line(of: key))
        }
    }

    func string(_ key: String) throws(RatesCardTOMLError) -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.string else { throw invalid(key, "must be a quoted string, not \(value.type)") }
        return string
    }

    func requiredString(_ key: String) throws(RatesCardTOMLError) -> String {
        guard let string = try string(key) else { throw missing(key) }
        return string
    }

    func int(_ key: String) throws(RatesCardTOMLError) -> Int? {
        guard let value = table[key] else { return nil }
        guard let int = value.int else { throw invalid(key, "must be a whole number, not \(value.type)") }
        return int
    }

    /// An amount: a quoted decimal in the card's currency (`"0.035"` or `"0.035 EUR"`), or a
    /// whole number. TOML floats are refused: they are binary, so 0.035 is not exactly 0.035.
    func amount(_ key: String, currency: Currency) throws(RatesCardTOMLError) -> ExactAmount? {
        guard let value = table[key] else { return nil }
        switch value.type {
        case .string:
            do {
                return try ExactAmount(parsing: value.string!, currency: currency, unit: .optional)
            } catch {
                throw invalid(key, "is not a valid amount: \(error)")
            }
        case .int:
            let (units, overflow) = Int64(value.int!).multipliedReportingOverflow(by: wholeUnit(currency))
            guard !overflow else { throw invalid(key, "is too large") }
            return ExactAmount(scaledUnits: units, currency: currency)
        case .double:
            throw invalid(key, "must be written as a quoted string such as \"0.035\": TOML floats are inexact binary numbers")
        default:
            throw invalid(key, "must be an amount written as a quoted string such as \"0.035\", not \(value.type)")
        }
    }

    func requiredAmount(_ key: String, currency: Currency) throws(RatesCardTOMLError) -> ExactAmount {
        guard let amount = try amount(key, currency: currency) else { throw missing(key) }
        return amount
    }

    func invalid(_ key: String, _ problem: String) -> RatesCardTOMLError {
        .invalidValue(key: key, table: tableName, line: line(of: key), problem: problem)
    }

    func missing(_ key: String) -> RatesCardTOMLError {
        .missingKey(key: key, table: tableName, line: line(of: nil))
    }

    private func wholeUnit(_ currency: Currency) -> Int64 {
        var factor = ExactAmount.unitsPerMinorUnit
        for _ in 0..<currency.exponent { factor *= 10 }
        return factor
    }
}
