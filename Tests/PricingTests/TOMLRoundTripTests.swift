import Pricing
import PricingTOML
import Testing
import TestSupport

@Suite("TOML rates cards: export and round trip")
struct TOMLRoundTripTests {
    @Test func importExportImportIsEqual() throws {
        let card = try T.card(
            [
                T.rule("a4-mono", media: .isoA4, colour: .monochrome, sides: .oneSided, price: "0.035"),
                T.rule("a \"quoted\" \\ name", media: .naLetter, price: "0.000001"),
                T.rule("ms", application: "Microsoft*", price: "0.07"),
                T.rule("app-duplex", sides: .twoSided, application: "Libre?ffice", price: "1"),
            ],
            perSheet: "0.0025", perJob: "0.10", unknown: "0")
        let text = card.toTOML()
        let again = try RatesCard(toml: text)
        #expect(again == card)
        #expect(again.toTOML() == text)
    }

    @Test func customCurrencyRoundTrips() throws {
        let card = try RatesCard(
            name: "yen", version: 3, currency: try Currency(code: "JPY", exponent: 0),
            rules: [], unknownFormatPerCopy: ExactAmount(scaledUnits: 1_000_000, currency: try Currency(code: "JPY", exponent: 0)))
        #expect(card.toTOML().contains("currency_decimals = 0"))
        #expect(try RatesCard(toml: card.toTOML()) == card)
    }

    @Test func generatedCardsRoundTrip() throws {
        var rng = SplitMix64(seed: 9)
        let media: [MediaName?] = [nil, .isoA4, .isoA3, .naLetter]
        for _ in 0..<50 {
            // Distinct names and distinct media per rule keep generated cards unambiguous.
            var rules: [PriceRule] = []
            for (index, m) in media.enumerated() where Bool.random(using: &rng) {
                rules.append(PriceRule(
                    name: "rule-\(index)", media: m.map { .only($0) } ?? .any,
                    colour: Bool.random(using: &rng) ? .only(.colour) : .any,
                    sides: Bool.random(using: &rng) ? .only(.twoSided) : .any,
                    application: Bool.random(using: &rng) ? .only(ApplicationGlob("App\(index)*")) : .any,
                    pricePerSide: ExactAmount(scaledUnits: Int64.random(in: 0...99_999_999, using: &rng), currency: .eur)))
            }
            let card = try RatesCard(
                name: "gen", version: Int.random(in: 1...1000, using: &rng), currency: .eur, rules: rules,
                perSheet: Bool.random(using: &rng) ? T.eur("0.01") : nil,
                unknownFormatPerCopy: ExactAmount(scaledUnits: Int64.random(in: 0...1_000_000, using: &rng), currency: .eur))
            #expect(try RatesCard(toml: card.toTOML()) == card)
        }
    }
}
