import Pricing
import Testing
import TestSupport

@Suite("ExactAmount: rates with sub-minor precision, rounding")
struct ExactAmountTests {
    @Test func parsesRatesWithExtraDecimals() throws {
        #expect(T.eur("0.035").scaledUnits == 35_000)
        #expect(T.eur("0.000001").scaledUnits == 1)
        #expect(try ExactAmount(parsing: "0.035 EUR", currency: .eur).description == "0.035 EUR")
        #expect(throws: MoneyError.tooManyDecimals(text: "0.0000001", allowed: 6, currency: "EUR")) {
            try ExactAmount(parsing: "0.0000001", currency: .eur, unit: .optional)
        }
    }

    @Test("formats with at least the currency decimals", arguments: [
        ("0.035", "0.035 EUR"), ("1", "1.00 EUR"), ("1.6", "1.60 EUR"), ("-0.004", "-0.004 EUR"), ("0.000001", "0.000001 EUR"),
    ])
    func formats(text: String, expected: String) {
        #expect(T.eur(text).description == expected)
    }

    @Test("rounds once, half-up (half away from zero)", arguments: [
        ("0.005", "0.01"), ("0.004999", "0.00"), ("0.015", "0.02"), ("0.025", "0.03"), ("1.725", "1.73"),
        ("1.7249", "1.72"), ("2.50", "2.50"), ("0", "0.00"),
        ("-0.005", "-0.01"), ("-0.004999", "0.00"), ("-1.725", "-1.73"), ("-0.015", "-0.02"),
    ])
    func roundsHalfUp(exact: String, rounded: String) {
        #expect(T.eur(exact).roundedToMinorUnits() == T.money(rounded))
    }

    @Test func roundingIsSymmetric() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<5000 {
            let units = Int64.random(in: -1_000_000_000...1_000_000_000, using: &rng)
            let positive = ExactAmount(scaledUnits: units, currency: .eur).roundedToMinorUnits().minorUnits
            let negative = ExactAmount(scaledUnits: -units, currency: .eur).roundedToMinorUnits().minorUnits
            #expect(positive == -negative)
            // Never more than half a minor unit away.
            #expect(abs(positive * 10_000 - units) <= 5_000)
        }
    }

    @Test func roundingExtremesDoNotTrap() {
        #expect(ExactAmount(scaledUnits: .max, currency: .eur).roundedToMinorUnits().minorUnits == Int64.max / 10_000 + 1)
        #expect(ExactAmount(scaledUnits: .min, currency: .eur).roundedToMinorUnits().minorUnits == Int64.min / 10_000 - 1)
    }

    @Test func pointsRates() throws {
        let half = try ExactAmount(parsing: "0.5", currency: .points, unit: .optional)
        #expect(half.description == "0.5 points")
        #expect(half.roundedToMinorUnits().description == "1 point")
    }
}
