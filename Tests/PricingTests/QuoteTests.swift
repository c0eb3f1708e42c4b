import Pricing
import Testing

@Suite("Quote: line items, sheets, copies, rounding")
struct QuoteTests {
    let card = try! T.card(
        [
            T.rule("mono", colour: .monochrome, price: "0.035"),
            T.rule("colour", colour: .colour, price: "0.15"),
            T.rule("mono-duplex", colour: .monochrome, sides: .twoSided, price: "0.03"),
        ],
        perSheet: "0.0025", perJob: "0.10", unknown: "2.00")

    @Test func pricesPerPageSideWithSheetsJobAndRounding() throws {
        // 3 mono pages one-sided, 1 copy: 3 × 0.035 + 3 sheets × 0.0025 + 0.10 = 0.105 + 0.0075 + 0.10 = 0.2125
        let quote = try card.quote(for: T.job(3))
        #expect(quote.items.map(\.amount) == [T.eur("0.105"), T.eur("0.0075"), T.eur("0.10"), T.eur("-0.0025")])
        #expect(quote.items.map(\.quantity) == [3, 3, 1, 1])
        #expect(quote.total == T.money("0.21"))
        #expect(quote.rounding == T.eur("-0.0025"))
        #expect(quote.sumOfItems == (try quote.total.exact()).scaledUnits)
        #expect(quote.pageSides == 3 && quote.sheets == 3 && quote.copies == 1)
    }

    @Test func halfRoundsUp() throws {
        // 1 mono page: 0.035 + 0.0025 + 0.10 = 0.1375 → 0.14; with no extras 0.035 → 0.04 (x.5 up)
        let bare = try T.card([T.rule("mono", price: "0.035")])
        #expect(try bare.quote(for: T.job(1)).total == T.money("0.04"))
        #expect(try bare.quote(for: T.job(1)).rounding == T.eur("0.005"))
        #expect(try bare.quote(for: T.job(3)).total == T.money("0.11"))  // 0.105 → 0.11
        #expect(try bare.quote(for: T.job(2)).total == T.money("0.07"))  // exact, rounding 0
        #expect(try bare.quote(for: T.job(2)).rounding == T.eur("0"))
    }

    @Test func duplexHalvesSheetsNotSides() throws {
        // 5 mono pages two-sided, 2 copies: 10 sides × 0.03, ceil(5/2) = 3 sheets per copy = 6 sheets.
        let quote = try card.quote(for: T.job(5, sides: .twoSided, copies: 2))
        #expect(quote.pageSides == 10)
        #expect(quote.sheets == 6)
        let sides = try #require(quote.items.first)
        #expect(sides.kind == .pageSides(rule: "mono-duplex", media: .isoA4, colour: .monochrome))
        #expect(sides.quantity == 10 && sides.amount == T.eur("0.30"))
        #expect(quote.items[1].kind == .sheets && quote.items[1].quantity == 6)
        // 0.30 + 0.015 + 0.10 = 0.415 → 0.42
        #expect(quote.total == T.money("0.42"))
    }

    @Test func colourIsChargedPerColourPage() throws {
        let pages: [PrintedPage] = [
            .init(media: .isoA4, colour: .monochrome), .init(media: .isoA4, colour: .colour),
            .init(media: .isoA4, colour: .monochrome), .init(media: .isoA4, colour: .monochrome),
        ]
        let quote = try card.quote(for: PrintJobDescription(pages: pages, sides: .oneSided, copies: 3))
        let lines = quote.items.filter { if case .pageSides = $0.kind { true } else { false } }
        #expect(lines.map(\.quantity) == [9, 3])
        #expect(lines.map(\.amount) == [T.eur("0.315"), T.eur("0.45")])
        // + 12 sheets × 0.0025 = 0.03, + 0.10 → 0.895 → 0.90
        #expect(quote.total == T.money("0.90"))
    }

    @Test func mediaChangeStartsANewSheetInDuplex() throws {
        let open = try T.card([T.rule("any", price: "0")], perSheet: "1")
        let job = PrintJobDescription(
            pageRuns: [
                PageRun(media: .isoA4, colour: .monochrome, count: 3),
                PageRun(media: .isoA4, colour: .colour, count: 1),   // back of sheet 2
                PageRun(media: .isoA3, colour: .monochrome, count: 1),  // new sheet (A3)
                PageRun(media: .isoA4, colour: .monochrome, count: 1),  // new sheet (A4 again)
            ],
            sides: .twoSided)
        #expect(try open.quote(for: job).sheets == 4)
        #expect(try open.quote(for: job).total == T.money("4.00"))
    }

    @Test func perJobChargeOnceWhateverTheCopies() throws {
        let quote = try card.quote(for: T.job(1, copies: 50))
        #expect(quote.items.filter { $0.kind == .job }.map(\.quantity) == [1])
    }

    @Test func unknownFormatUsesTheFallbackPerCopyNeverFree() throws {
        let quote = try card.quote(for: .unknownFormat(copies: 3))
        #expect(quote.items.map(\.kind) == [.unknownFormat, .job, .rounding])
        #expect(quote.total == T.money("6.10"))
        #expect(quote.receipt().contains("Document format not understood, 3 copies"))
    }

    @Test func pageWithoutRuleIsAnErrorNotFree() {
        let colourOnly = try! T.card([T.rule("colour", colour: .colour, price: "0.15")])
        #expect(throws: QuoteError.noMatchingRule(
            card: "test", media: .isoA4, colour: .monochrome, sides: .oneSided, application: "LibreOffice")) {
            try colourOnly.quote(for: T.job(1, application: "LibreOffice"))
        }
    }

    @Test func malformedJobsAreRejected() {
        #expect(throws: QuoteError.invalidCopies(0)) { try card.quote(for: T.job(1, copies: 0)) }
        #expect(throws: QuoteError.invalidPageCount(-1)) { try card.quote(for: T.job(-1)) }
        #expect(throws: QuoteError.noPages) { try card.quote(for: T.job(0)) }
        #expect(throws: QuoteError.noPages) {
            try card.quote(for: PrintJobDescription(pages: [], sides: .oneSided))
        }
    }

    @Test func aBillionPagesPriceExactly() throws {
        let quote = try card.quote(for: T.job(1_000_000_000))
        // 10^9 × 0.035 + 10^9 × 0.0025 + 0.10 = 35 000 000 + 2 500 000 + 0.10
        #expect(quote.total == T.money("37500000.10"))
        let copies = try card.quote(for: T.job(1, copies: 1_000_000_000))
        #expect(copies.total == T.money("37500000.10"))
    }

    @Test func absurdJobsErrorClearlyInsteadOfTrapping() {
        let error = #expect(throws: QuoteError.self) {
            try card.quote(for: T.job(1_000_000_000, copies: 1_000_000_000))
        }
        #expect(error?.description.contains("too large") == true)
        #expect(throws: QuoteError.self) { try card.quote(for: T.job(Int.max, copies: Int.max)) }
        #expect(throws: QuoteError.self) {
            try card.quote(for: PrintJobDescription(
                pageRuns: [PageRun(media: .isoA4, colour: .monochrome, count: Int.max),
                           PageRun(media: .isoA4, colour: .colour, count: Int.max)],
                sides: .twoSided))
        }
        #expect(throws: QuoteError.self) { try card.quote(for: T.job(Int.max, sides: .twoSided)) }
    }

    @Test func receiptExplainsEveryLine() throws {
        let receipt = try card.quote(for: T.job(5, sides: .twoSided, copies: 2)).receipt()
        #expect(receipt.contains("Rates card \"test\" version 1 (EUR)"))
        #expect(receipt.contains("10 × A4 monochrome page sides, two-sided (rule \"mono-duplex\") @ 0.03 EUR"))
        #expect(receipt.contains("6 × sheets of paper @ 0.0025 EUR"))
        #expect(receipt.contains("rounding to minor units (half-up)"))
        #expect(receipt.hasSuffix("0.42 EUR\n"))
        #expect(receipt.contains("Total"))
    }
}
