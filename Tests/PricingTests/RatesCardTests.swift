import Pricing
import Testing

@Suite("RatesCard: precedence and validation")
struct RatesCardTests {
    /// One rule of every shape the precedence has to order.
    let card = try! T.card([
        T.rule("catch-all", price: "0.01"),
        T.rule("sides", sides: .twoSided, price: "0.02"),
        T.rule("colour", colour: .colour, price: "0.03"),
        T.rule("media", media: .isoA3, price: "0.04"),
        T.rule("app", application: "Microsoft*", price: "0.05"),
        T.rule("media-colour", media: .isoA3, colour: .colour, price: "0.06"),
        T.rule("app-sides", sides: .twoSided, application: "Microsoft*", price: "0.07"),
        T.rule("all", media: .isoA3, colour: .colour, sides: .twoSided, application: "Microsoft Word", price: "0.08"),
    ])

    func winner(_ media: MediaName, _ colour: ColourMode, _ sides: Sides, _ app: String?) -> String? {
        card.rule(media: media, colour: colour, sides: sides, application: app)?.name
    }

    @Test func mostSpecificRuleWins() {
        #expect(winner(.isoA4, .monochrome, .oneSided, nil) == "catch-all")
        #expect(winner(.isoA4, .monochrome, .twoSided, nil) == "sides")
        #expect(winner(.isoA3, .colour, .oneSided, nil) == "media-colour")
        #expect(winner(.isoA3, .colour, .twoSided, "Microsoft Word") == "all")
        #expect(winner(.isoA3, .colour, .twoSided, "Microsoft Excel") == "app-sides")  // 2 fields: app beats media
    }

    @Test func fixedPrecedenceBreaksTiesOfDifferentShapes() {
        // One field each: application > media > colour > sides.
        #expect(winner(.isoA3, .colour, .twoSided, "Microsoft Excel") != "app")  // 2-field rules beat it
        #expect(winner(.isoA4, .colour, .twoSided, "Microsoft Excel") == "app-sides")
        #expect(winner(.isoA4, .colour, .oneSided, "Microsoft Excel") == "app")
        #expect(winner(.isoA3, .monochrome, .twoSided, nil) == "media")
        #expect(winner(.isoA4, .colour, .twoSided, nil) == "colour")
        #expect(winner(.isoA4, .colour, .twoSided, "LibreOffice") == "colour")
    }

    @Test func specificityOrder() {
        func s(_ a: Bool, _ m: Bool, _ c: Bool, _ si: Bool) -> RuleSpecificity {
            RuleSpecificity(application: a, media: m, colour: c, sides: si)
        }
        let ordered = [
            s(false, false, false, false), s(false, false, false, true), s(false, false, true, false),
            s(false, true, false, false), s(true, false, false, false), s(false, false, true, true),
            s(false, true, true, false), s(true, false, false, true), s(true, true, false, false),
            s(false, true, true, true), s(true, true, true, false), s(true, true, true, true),
        ]
        for (i, lower) in ordered.enumerated() {
            for higher in ordered[(i + 1)...] { #expect(lower < higher) }
        }
    }

    @Test func ruleNamingAnApplicationNeverMatchesAnUnknownOne() {
        #expect(winner(.isoA4, .monochrome, .oneSided, nil) == "catch-all")
        #expect(winner(.isoA4, .monochrome, .oneSided, "Microsoft Word") == "app")
    }

    @Test func equallySpecificOverlappingRulesAreRejectedNamingBoth() {
        let error = #expect(throws: RatesCardError.self) {
            try T.card([
                T.rule("a4", media: .isoA4, price: "0.05"),
                T.rule("word", application: "*Word", price: "0.05"),
                T.rule("ms", application: "Microsoft*", price: "0.07"),
            ])
        }
        #expect(error == .ambiguousRules(first: "word", second: "ms", specificity: RuleSpecificity(
            application: true, media: false, colour: false, sides: false)))
        #expect(error?.description.contains("\"word\"") == true)
        #expect(error?.description.contains("\"ms\"") == true)
    }

    @Test func sameShapeButDisjointIsFine() throws {
        _ = try T.card([
            T.rule("a4-mono", media: .isoA4, colour: .monochrome, price: "0.05"),
            T.rule("a4-colour", media: .isoA4, colour: .colour, price: "0.25"),
            T.rule("a3-mono", media: .isoA3, colour: .monochrome, price: "0.10"),
            T.rule("ms", application: "Microsoft*", price: "0.07"),
            T.rule("libre", application: "Libre*", price: "0.07"),
        ])
    }

    @Test func identicalCriteriaAreAmbiguous() {
        #expect(throws: RatesCardError.ambiguousRules(first: "x", second: "y", specificity: RuleSpecificity(
            application: false, media: false, colour: false, sides: false))) {
            try T.card([T.rule("x", price: "0.01"), T.rule("y", price: "0.02")])
        }
    }

    @Test func otherValidation() {
        #expect(throws: RatesCardError.duplicateRuleName("x")) {
            try T.card([T.rule("x", colour: .colour, price: "0.01"), T.rule("x", colour: .monochrome, price: "0.02")])
        }
        #expect(throws: RatesCardError.unnamedRule(index: 0)) { try T.card([T.rule(" ", price: "0.01")]) }
        #expect(throws: RatesCardError.invalidMedia(rule: "x", media: "A4")) {
            try T.card([T.rule("x", media: "A4", price: "0.01")])
        }
        #expect(throws: RatesCardError.negativeAmount(field: "per_side", rule: "x", amount: T.eur("-0.01"))) {
            try T.card([T.rule("x", price: "-0.01")])
        }
        #expect(throws: RatesCardError.negativeAmount(field: "per_job", rule: nil, amount: T.eur("-1"))) {
            try T.card([], perJob: "-1")
        }
        #expect(throws: RatesCardError.emptyName) {
            try RatesCard(name: "", version: 1, currency: .eur, rules: [], unknownFormatPerCopy: T.eur("1"))
        }
        #expect(throws: RatesCardError.invalidVersion(0)) {
            try RatesCard(name: "x", version: 0, currency: .eur, rules: [], unknownFormatPerCopy: T.eur("1"))
        }
        #expect(throws: RatesCardError.self) {
            try RatesCard(
                name: "x", version: 1, currency: .points, rules: [], unknownFormatPerCopy: T.eur("1"))
        }
    }

    @Test func starOnlyGlobIsAWildcard() throws {
        let rule = T.rule("x", application: "**", price: "0.01")
        #expect(rule.application == .any)
        #expect(rule.specificity.specificFieldCount == 0)
        #expect(T.rule("y", application: "", price: "0.01").application == .only(ApplicationGlob("")))
        #expect(throws: RatesCardError.emptyApplicationGlob(rule: "y")) {
            try T.card([T.rule("y", application: "", price: "0.01")])
        }
    }
}
