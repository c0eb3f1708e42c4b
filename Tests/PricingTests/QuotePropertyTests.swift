import Pricing
import Testing
import TestSupport

/// Property-style checks over many generated jobs (deterministic seeds).
@Suite("Quote properties")
struct QuotePropertyTests {
    static let media: [MediaName] = [.isoA4, .isoA3, .naLetter]
    let card = try! T.card(
        [
            T.rule("mono", colour: .monochrome, price: "0.0333"),
            T.rule("colour", colour: .colour, price: "0.1499"),
            T.rule("a3", media: .isoA3, price: "0.0701"),
            T.rule("a3-colour-duplex", media: .isoA3, colour: .colour, sides: .twoSided, price: "0.2999"),
            T.rule("word", application: "*Word*", price: "0.0555"),
        ],
        perSheet: "0.0017", perJob: "0.05")

    static func randomJob(_ rng: inout SplitMix64) -> PrintJobDescription {
        let runs = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
            PageRun(
                media: media.randomElement(using: &rng)!, colour: Bool.random(using: &rng) ? .colour : .monochrome,
                count: Int.random(in: 1...40, using: &rng))
        }
        return PrintJobDescription(
            pageRuns: runs, sides: Bool.random(using: &rng) ? .twoSided : .oneSided,
            copies: Int.random(in: 1...20, using: &rng),
            application: [nil, "Microsoft Word", "LibreOffice"].randomElement(using: &rng)!)
    }

    @Test func totalIsTheSumOfItemsAndWithinHalfAMinorUnitOfTheExactSum() throws {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<500 {
            let quote = try card.quote(for: Self.randomJob(&rng))
            #expect(quote.sumOfItems == (try quote.total.exact()).scaledUnits)
            #expect(abs(quote.rounding.scaledUnits) <= 5_000)
            #expect(quote.items.last?.kind == .rounding)
            for item in quote.items where item.kind != .rounding {
                #expect(item.amount == (try item.unitPrice.multiplied(by: item.quantity)))
            }
        }
    }

    @Test func monotonicInCopies() throws {
        var rng = SplitMix64(seed: 2)
        for _ in 0..<300 {
            var job = Self.randomJob(&rng)
            let before = try card.quote(for: job).total.minorUnits
            job.copies += Int.random(in: 1...5, using: &rng)
            #expect(try card.quote(for: job).total.minorUnits >= before)
        }
    }

    @Test func monotonicInPages() throws {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<300 {
            var job = Self.randomJob(&rng)
            let before = try card.quote(for: job).total.minorUnits
            let index = Int.random(in: 0..<job.pageRuns.count, using: &rng)
            if Bool.random(using: &rng) {
                job.pageRuns[index].count += Int.random(in: 1...10, using: &rng)
            } else {
                job.pageRuns.insert(job.pageRuns[index], at: index)
            }
            #expect(try card.quote(for: job).total.minorUnits >= before)
        }
    }

    @Test func copiesMultiplyEverythingButTheJobCharge() throws {
        var rng = SplitMix64(seed: 4)
        for _ in 0..<200 {
            var job = Self.randomJob(&rng)
            job.copies = 1
            let one = try card.quote(for: job)
            job.copies = 7
            let seven = try card.quote(for: job)
            let perCopyItems = { (q: Quote) in q.items.filter { $0.kind != .job && $0.kind != .rounding } }
            #expect(perCopyItems(seven).map(\.quantity) == perCopyItems(one).map { $0.quantity * 7 })
        }
    }

    @Test func pagesAndRunsGiveTheSameQuote() throws {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<100 {
            let job = Self.randomJob(&rng)
            let pages = job.pageRuns.flatMap { run in
                Array(repeating: PrintedPage(media: run.media, colour: run.colour), count: run.count)
            }
            let perPage = PrintJobDescription(
                pages: pages, sides: job.sides, copies: job.copies, application: job.application)
            #expect(try card.quote(for: perPage) == card.quote(for: job))
        }
    }
}
