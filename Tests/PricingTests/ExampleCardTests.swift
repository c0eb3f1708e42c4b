import Pricing
import PricingTOML
import Testing

@Suite("rates/example.toml")
struct ExampleCardTests {
    static func exampleText() throws -> String {
        // Tests/PricingTests/ExampleCardTests.swift → repository root → rates/example.toml
        var path = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        path += "/rates/example.toml"
        return try #require(readFile(path), "cannot read \(path)")
    }

    let card: RatesCard

    init() throws {
        card = try RatesCard(toml: try Self.exampleText())
    }

    @Test func loadsAndCoversEveryMediaColourSides() throws {
        #expect(card.name == "example" && card.currency == .eur)
        for media in [MediaName.isoA4, .isoA3, .naLetter] {
            for colour in ColourMode.allCases {
                for sides in Sides.allCases {
                    let rule = try #require(card.rule(media: media, colour: colour, sides: sides, application: "LibreOffice"))
                    #expect(rule.specificity.specificFieldCount == 3, "\(rule.name)")
                }
            }
        }
        #expect(card.rules.contains { $0.application != .any })
    }

    /// 5 A4 pages (mono, colour, mono, mono, colour), two-sided, 3 copies, from LibreOffice:
    /// - mono:   3 sides × 3 copies = 9 × 0.04  = 0.36
    /// - colour: 2 sides × 3 copies = 6 × 0.22  = 1.32
    /// - sheets: ceil(5 / 2) = 3 per copy = 9 × 0.005 = 0.045
    /// - exact sum 1.725 → rounded half-up to 1.73 (rounding line +0.005)
    @Test func pricesAMixedColourMonoDuplexJob() throws {
        let pages: [PrintedPage] = [.monochrome, .colour, .monochrome, .monochrome, .colour].map {
            PrintedPage(media: .isoA4, colour: $0)
        }
        let job = PrintJobDescription(pages: pages, sides: .twoSided, copies: 3, application: "LibreOffice")
        let quote = try card.quote(for: job)
        #expect(quote.items.map(\.kind) == [
            .pageSides(rule: "a4-mono-duplex", media: .isoA4, colour: .monochrome),
            .pageSides(rule: "a4-colour-duplex", media: .isoA4, colour: .colour),
            .sheets, .rounding,
        ])
        #expect(quote.items.map(\.quantity) == [9, 6, 9, 1])
        #expect(quote.items.map(\.amount) == ["0.36", "1.32", "0.045", "0.005"].map(T.eur))
        #expect(quote.total == T.money("1.73"))
        #expect(quote.sheets == 9 && quote.pageSides == 15)
        #expect(quote.receipt().hasSuffix("1.73 EUR\n"))
    }

    /// The application rule outranks the A4 colour rules (same field count, application first).
    @Test func photoshopRuleWinsForA4Colour() throws {
        let job = PrintJobDescription(
            pages: [PrintedPage(media: .isoA4, colour: .colour), PrintedPage(media: .isoA4, colour: .monochrome)],
            sides: .oneSided, application: "Adobe Photoshop 2025")
        let quote = try card.quote(for: job)
        // colour side 0.40 (photoshop), mono side 0.05, 2 sheets × 0.005 = 0.01 → 0.46
        #expect(quote.items.first?.kind == .pageSides(rule: "photoshop-a4-colour", media: .isoA4, colour: .colour))
        #expect(quote.total == T.money("0.46"))
    }

    @Test func otherMediaAndUnknownFormats() throws {
        let legal = try card.quote(for: T.job(2, .naLegal, .colour))
        #expect(legal.total == T.money("0.61"))  // 2 × 0.30 + 2 × 0.005
        #expect(try card.quote(for: .unknownFormat(copies: 2)).total == T.money("2.00"))
    }

    @Test func exampleRoundTrips() throws {
        #expect(try RatesCard(toml: card.toTOML()) == card)
    }
}
