import Pricing
import PricingTOML
import Testing

@Suite("TOML rates cards: import errors name the line")
struct TOMLImportTests {
    static let valid = """
        name = "lab"
        version = 2
        currency = "EUR"
        unknown_format = "0.50"

        [[rule]]
        name = "mono"
        colour = "monochrome"
        per_side = "0.035"

        [[rule]]
        name = "colour"
        colour = "colour"
        per_side = "0.15 EUR"
        """

    func error(_ text: String) -> RatesCardTOMLError? {
        #expect(throws: RatesCardTOMLError.self) { try RatesCard(toml: text) }
    }

    @Test func readsAValidCard() throws {
        let card = try RatesCard(toml: Self.valid)
        #expect(card.name == "lab" && card.version == 2 && card.currency == .eur)
        #expect(card.rules.map(\.name) == ["mono", "colour"])
        #expect(card.rules[0].pricePerSide == T.eur("0.035"))
        #expect(card.rules[0].media == .any && card.rules[0].colour == .only(.monochrome))
        #expect(card.unknownFormatPerCopy == T.eur("0.50"))
        #expect(card.perSheet == nil && card.perJob == nil)
    }

    @Test func syntaxErrorsNameTheLine() {
        let broken = Self.valid.replacingFirst("per_side = \"0.035\"", with: "per_side = \"0.035")
        let e = error(broken)
        guard case .syntax(let line, _, _) = e else { Issue.record("expected a syntax error, got \(String(describing: e))"); return }
        #expect(line == 9)
        #expect(e?.description.hasPrefix("line 9") == true)
    }

    @Test func floatPricesAreRefusedAtTheirLine() {
        let e = error(Self.valid.replacingFirst("per_side = \"0.035\"", with: "per_side = 0.035"))
        #expect(e?.line == 9)
        #expect(e?.description.contains("quoted string") == true)
        #expect(e?.description.contains("rule \"mono\"") == true)
    }

    @Test func badAmountsAreRefusedAtTheirLine() {
        let tooPrecise = error(Self.valid.replacingFirst("\"0.035\"", with: "\"0.0350001\""))
        #expect(tooPrecise?.line == 9)
        #expect(tooPrecise?.description.contains("too many decimals") == true)
        let wrongCurrency = error(Self.valid.replacingFirst("\"0.15 EUR\"", with: "\"0.15 USD\""))
        #expect(wrongCurrency?.line == 14)
        #expect(wrongCurrency?.description.contains("USD") == true)
        let garbage = error(Self.valid.replacingFirst("\"0.50\"", with: "\"fifty cents\""))
        #expect(garbage?.line == 4)
        let negative = error(Self.valid.replacingFirst("\"0.035\"", with: "\"-0.035\""))
        #expect(negative?.line == 9)
        #expect(negative?.description.contains("negative") == true)
    }

    @Test func unknownKeysAreRefusedAtTheirLine() {
        let typo = error(Self.valid.replacingFirst("colour = \"colour\"", with: "color = \"colour\""))
        #expect(typo == .unknownKey(key: "color", table: "rule \"colour\"", line: 13))
        let topLevel = error("extra = 1\n" + Self.valid)
        #expect(topLevel == .unknownKey(key: "extra", table: "the card", line: 1))
    }

    @Test func badEnumValuesAreRefusedAtTheirLine() {
        let e = error(Self.valid.replacingFirst("\"monochrome\"", with: "\"grey\""))
        #expect(e?.line == 8)
        #expect(e?.description.contains("\"colour\", \"monochrome\" or \"*\"") == true)
        let sides = error(Self.valid.replacingFirst("colour = \"colour\"", with: "sides = \"duplex\""))
        #expect(sides?.line == 13)
    }

    @Test func badMediaAndEmptyApplicationPointAtTheirLine() {
        let media = error(Self.valid.replacingFirst("colour = \"monochrome\"", with: "colour = \"monochrome\"\nmedia = \"A4\""))
        #expect(media == .invalidCard(.invalidMedia(rule: "mono", media: "A4"), lines: [9]))
        let app = error(Self.valid.replacingFirst("colour = \"colour\"", with: "application = \"\""))
        #expect(app == .invalidCard(.emptyApplicationGlob(rule: "colour"), lines: [13]))
        #expect(app?.description.hasPrefix("line 13: rule \"colour\": application is empty") == true)
    }

    @Test func missingKeysPointAtTheRule() {
        let e = error(Self.valid.replacingFirst("per_side = \"0.035\"\n", with: ""))
        #expect(e == .missingKey(key: "per_side", table: "rule \"mono\"", line: 6))
        let noFallback = error(Self.valid.replacingFirst("unknown_format = \"0.50\"\n", with: ""))
        #expect(noFallback == .missingKey(key: "unknown_format", table: "the card", line: nil))
        #expect(noFallback?.description.contains("unknown_format") == true)
    }

    @Test func ambiguousRulesNameBothRulesAndLines() {
        let text = Self.valid + """

            [[rule]]
            name = "grey-again"
            colour = "monochrome"
            per_side = "0.04"
            """
        let e = error(text)
        guard case .invalidCard(.ambiguousRules(let first, let second, _), let lines) = e else {
            Issue.record("expected an ambiguity, got \(String(describing: e))"); return
        }
        #expect(first == "mono" && second == "grey-again")
        #expect(lines == [6, 15])
        #expect(e?.description.hasPrefix("lines 6 and 15: rules \"mono\" and \"grey-again\"") == true)
    }

    @Test func duplicateNamesNameBothLines() {
        let text = Self.valid.replacingFirst("name = \"colour\"", with: "name = \"mono\"")
        #expect(error(text) == .invalidCard(.duplicateRuleName("mono"), lines: [6, 11]))
    }

    @Test func singleBracketRuleTableIsExplained() {
        let e = error("""
            name = "x"
            version = 1
            currency = "EUR"
            unknown_format = "1"
            [rule]
            name = "a"
            per_side = "1"
            """)
        #expect(e?.line == 5)
        #expect(e?.description.contains("[[rule]]") == true)
    }

    @Test func currencies() throws {
        let points = try RatesCard(toml: """
            name = "p"
            version = 1
            currency = "points"
            unknown_format = 5
            [[rule]]
            name = "all"
            per_side = 1
            """)
        #expect(points.currency == .points)
        #expect(points.unknownFormatPerCopy == ExactAmount(scaledUnits: 50_000, currency: .points))
        let yen = try RatesCard(toml: "name = \"y\"\nversion = 1\ncurrency = \"JPY\"\ncurrency_decimals = 0\nunknown_format = \"100\"\n")
        #expect(yen.currency == (try Currency(code: "JPY", exponent: 0)))
        let unknown = error("name = \"y\"\nversion = 1\ncurrency = \"JPY\"\nunknown_format = \"100\"\n")
        #expect(unknown?.line == 3)
        #expect(unknown?.description.contains("currency_decimals") == true)
    }

    @Test func commentsAndMultilineStringsDoNotConfuseLineNumbers() {
        let text = """
            # [[rule]] in a comment
            name = "x" # [[rule]]
            version = 1
            currency = "EUR"
            unknown_format = "1"
            [[rule]]
            name = \"\"\"
            [[rule]]
            \"\"\"
            per_side = "1"
            [[rule]]
            name = "y"
            per_side = "x"
            """
        #expect(error(text)?.line == 13)
    }
}

extension String {
    /// This text with the first occurrence of `target` replaced (tests only; no Foundation).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }
}
