import Pricing
import Testing
import TestSupport

@Suite("Money: parsing, formatting, arithmetic")
struct MoneyTests {
    @Test("parses what people write", arguments: [
        ("1.05 EUR", Int64(105)), ("-0.50 EUR", -50), ("0 EUR", 0), ("12 EUR", 1200), ("1.5 EUR", 150),
        ("  2.30   eur ", 230), ("1.050 EUR", 105), ("-0 EUR", 0),
    ])
    func parses(text: String, minorUnits: Int64) throws {
        #expect(try Money(parsing: text, currency: .eur).minorUnits == minorUnits)
    }

    @Test func parsesPoints() throws {
        #expect(try Money(parsing: "12 points", currency: .points).minorUnits == 12)
        #expect(try Money(parsing: "1 point", currency: .points).minorUnits == 1)
        #expect(try Money(parsing: "7", currency: .points, unit: .optional).minorUnits == 7)
    }

    @Test("formats for people", arguments: [
        (Int64(105), "1.05 EUR"), (-50, "-0.50 EUR"), (0, "0.00 EUR"), (7, "0.07 EUR"), (123_456, "1234.56 EUR"),
        (-5, "-0.05 EUR"), (Int64.min, "-92233720368547758.08 EUR"), (Int64.max, "92233720368547758.07 EUR"),
    ])
    func formats(minorUnits: Int64, text: String) {
        #expect(Money(minorUnits: minorUnits, currency: .eur).description == text)
    }

    @Test func formatsPoints() {
        #expect(Money(minorUnits: 12, currency: .points).description == "12 points")
        #expect(Money(minorUnits: 1, currency: .points).description == "1 point")
        #expect(Money(minorUnits: -3, currency: .points).description == "-3 points")
    }

    @Test func formattingRoundTrips() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let money = Money(minorUnits: Int64.random(in: Int64.min...Int64.max, using: &rng), currency: .eur)
            #expect(try Money(parsing: money.description, currency: .eur) == money)
        }
    }

    @Test("rejects malformed amounts with a typed error", arguments: [
        ("", MoneyError.empty),
        ("   ", .empty),
        ("abc", .malformed(text: "abc")),
        ("1,05 EUR", .malformed(text: "1,05 EUR")),
        ("1.2.3 EUR", .malformed(text: "1.2.3 EUR")),
        (".5 EUR", .malformed(text: ".5 EUR")),
        ("1. EUR", .malformed(text: "1. EUR")),
        ("+1 EUR", .malformed(text: "+1 EUR")),
        ("--1 EUR", .malformed(text: "--1 EUR")),
        ("1 000 EUR", .malformed(text: "1 000 EUR")),
        ("1.005 EUR", .tooManyDecimals(text: "1.005 EUR", allowed: 2, currency: "EUR")),
        ("1.05 USD", .wrongCurrency(text: "1.05 USD", found: "USD", expected: "EUR")),
        ("1.05", .missingCurrency(text: "1.05", expected: "EUR")),
        ("92233720368547758.08 EUR", .outOfRange(text: "92233720368547758.08 EUR")),
        ("99999999999999999999999 EUR", .outOfRange(text: "99999999999999999999999 EUR")),
    ])
    func rejects(text: String, error: MoneyError) {
        #expect(throws: error) { try Money(parsing: text, currency: .eur) }
    }

    @Test func extremesParse() throws {
        #expect(try Money(parsing: "-92233720368547758.08 EUR", currency: .eur).minorUnits == Int64.min)
        #expect(try Money(parsing: "92233720368547758.07 EUR", currency: .eur).minorUnits == Int64.max)
    }

    @Test func pointsHaveNoDecimals() {
        #expect(throws: MoneyError.tooManyDecimals(text: "1.5 points", allowed: 0, currency: "points")) {
            try Money(parsing: "1.5 points", currency: .points)
        }
    }

    @Test func errorMessagesAreActionable() {
        #expect(MoneyError.missingCurrency(text: "1.05", expected: "EUR").description.contains("1.05 EUR"))
        #expect(MoneyError.tooManyDecimals(text: "1.005 EUR", allowed: 2, currency: "EUR").description.contains("at most 2"))
    }

    @Test func arithmeticIsCheckedNotTrapping() throws {
        let max = Money(minorUnits: .max, currency: .eur)
        let one = Money(minorUnits: 1, currency: .eur)
        #expect(throws: MoneyError.self) { try max.adding(one) }
        #expect(throws: MoneyError.self) { try Money(minorUnits: .min, currency: .eur).subtracting(one) }
        #expect(throws: MoneyError.self) { try Money(minorUnits: .min, currency: .eur).negated() }
        #expect(throws: MoneyError.self) { try max.multiplied(by: 2) }
        #expect(throws: MoneyError.self) { try max.exact() }
        #expect(throws: MoneyError.currencyMismatch("EUR", "points")) {
            try one.adding(Money(minorUnits: 1, currency: .points))
        }
        #expect(try one.adding(one).minorUnits == 2)
        #expect(try one.negated().minorUnits == -1)
        #expect(try one.isLess(than: Money(minorUnits: 2, currency: .eur)))
    }

    @Test func currencyValidation() throws {
        #expect(try Currency(code: "JPY", exponent: 0).code == "JPY")
        #expect(throws: MoneyError.self) { try Currency(code: "euro", exponent: 2) }
        #expect(throws: MoneyError.self) { try Currency(code: "EUR", exponent: 9) }
        #expect(Currency.wellKnown(code: "eur") == .eur)
    }
}
