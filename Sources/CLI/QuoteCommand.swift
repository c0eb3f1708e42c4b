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

    @Option(help: "Number of copies.")
    var copies: Int = 1

    @Option(help: "one-sided, two-sided-long-edge or two-sided-short-edge.")
    var sides: String = "one-sided"

    @Option(name: .customLong("color-mode"), help: "auto, color or monochrome.")
    var colorMode: String = "auto"

    @Option(name: .customLong("number-up"), help: "Document pages per side.")
    var numberUp: Int = 1

    @Option(name: .customLong("page-ranges"), help: "Pages to print, e.g. 1-3,7.")
    var pageRanges: String?

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() throws {
        guard let sides = JobOptions.Sides(rawValue: sides) else {
            throw ValidationError("--sides must be one of: \(JobOptions.Sides.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let colour = JobOptions.ColourMode(rawValue: colorMode) else {
            throw ValidationError("--color-mode must be one of: \(JobOptions.ColourMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var ranges: [ClosedRange<Int>] = []
        if let pageRanges {
            guard let parsed = JobOptions.parsePageRanges(pageRanges) else {
                throw ValidationError("--page-ranges \"\(pageRanges)\" is not a list like 1-3,7")
            }
            ranges = parsed
        }
        let options = JobOptions(copies: copies, numberUp: numberUp, sides: sides, colourMode: colour,
                                 pageRanges: ranges, jobName: (file as NSString).lastPathComponent)
        if let problem = options.validationError() { throw ValidationError(problem) }

        let cardPath = card.contains("/") || card.hasSuffix(".toml") ? card : cardsDirectory + "/" + card + ".toml"
        let text: String
        do {
            text = try String(contentsOfFile: cardPath, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read rates card \(cardPath): \(error.localizedDescription)")
        }
        let ratesCard = try RatesCard(toml: text)
        let analysis = try analyse(options: options)
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

    /// Analyses in the sandboxed child when tollgate-analyse sits next to this program,
    /// else in this process (a person quoting their own file).
    private func analyse(options: JobOptions) throws -> JobAnalysis {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let helper = me.deletingLastPathComponent().appendingPathComponent("tollgate-analyse").path
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ValidationError("cannot open \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if FileManager.default.isExecutableFile(atPath: helper) {
            return try AnalyserProcess(executable: helper).analyse(descriptor: fd, options: options)
        }
        return try DocumentAnalyser().analyse(descriptor: fd, options: options)
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
