import ArgumentParser
import Enforcement
import Foundation
import JobAnalysis
import Pricing
import PricingTOML

/// `tollgate quote FILE`: what a document would cost on a queue, without printing it.
struct QuoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quote",
        abstract: "Price a document with a rates card, without printing it.",
        discussion: """
        The document is analysed as the backend analyses a job (pages, paper sizes, colour per page,
        originating application), in a separate process with limited memory and time when
        tollgate-analyse is installed next to tollgate, then priced with the card.
        """)

    @Argument(help: "The document: PDF, PostScript, PWG or Apple raster, PCL, plain text.")
    var file: String

    @Option(help: "The rates card: a TOML file, or the name of one in --cards-dir.")
    var card: String = "example"

    @Option(name: .customLong("cards-dir"), help: "Where named cards live.")
    var cardsDirectory: String = ProcessInfo.processInfo.environment["TOLLGATE_RATES_DIR"] ?? "/etc/tollgate/rates"

    @OptionGroup var jobOptions: JobOptionArguments

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() throws {
        let options = try jobOptions.jobOptions(jobName: (file as NSString).lastPathComponent)
        let cardPath = card.contains("/") || card.hasSuffix(".toml") ? card : cardsDirectory + "/" + card + ".toml"
        let text: String
        do {
            text = try String(contentsOfFile: cardPath, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read rates card \(cardPath): \(error.localizedDescription)")
        }
        let ratesCard = try RatesCard(toml: text)
        let analysis = try analyseDocument(file, options: options)
        let quote = try ratesCard.quote(for: JobPricing.description(of: analysis))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(QuoteJSON(quote, analysis: analysis)), as: UTF8.self))
        } else {
            print("\(file): \(analysis.pageCount.map(String.init) ?? "?") pages, \(analysis.colourPageCount) colour, \(analysis.format.rawValue)"
                  + (analysis.application.map { ", from \($0.name)" } ?? ""))
            print(quote.receipt(), terminator: "")
        }
    }
}

/// The JSON shape of `tollgate quote --json`.
private struct QuoteJSON: Encodable {
    struct Item: Encodable {
        var description: String
        var quantity: Int64
        var unitPrice: String
        var amount: String
    }
    var card: String
    var cardVersion: Int
    var currency: String
    var pages: Int?
    var colourPages: Int
    var pageSides: Int64
    var sheets: Int64
    var copies: Int64
    var items: [Item]
    var total: String
    var totalMinorUnits: Int64

    init(_ quote: Quote, analysis: JobAnalysis) {
        card = quote.cardName
        cardVersion = quote.cardVersion
        currency = quote.currency.code
        pages = analysis.pageCount
        colourPages = analysis.colourPageCount
        pageSides = quote.pageSides
        sheets = quote.sheets
        copies = quote.copies
        items = quote.items.map { Item(description: $0.description, quantity: $0.quantity,
                                       unitPrice: $0.unitPrice.description, amount: $0.amount.description) }
        total = quote.total.description
        totalMinorUnits = quote.total.minorUnits
    }
}
