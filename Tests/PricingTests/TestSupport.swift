#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Pricing

/// Shorthands for building amounts, rules and jobs in tests.
enum T {
    static func eur(_ text: String) -> ExactAmount {
        try! ExactAmount(parsing: text, currency: .eur, unit: .optional)
    }

    static func money(_ text: String) -> Money {
        try! Money(parsing: text, currency: .eur, unit: .optional)
    }

    static func rule(
        _ name: String, media: MediaName? = nil, colour: ColourMode? = nil, sides: Sides? = nil,
        application: String? = nil, price: String
    ) -> PriceRule {
        PriceRule(
            name: name,
            media: media.map { .only($0) } ?? .any,
            colour: colour.map { .only($0) } ?? .any,
            sides: sides.map { .only($0) } ?? .any,
            application: application.map { .only(ApplicationGlob($0)) } ?? .any,
            pricePerSide: eur(price))
    }

    static func card(
        _ rules: [PriceRule], perSheet: String? = nil, perJob: String? = nil, unknown: String = "1.00"
    ) throws(RatesCardError) -> RatesCard {
        try RatesCard(
            name: "test", version: 1, currency: .eur, rules: rules, perSheet: perSheet.map(eur),
            perJob: perJob.map(eur), unknownFormatPerCopy: eur(unknown))
    }

    /// A job of `count` pages of one kind.
    static func job(
        _ count: Int, _ media: MediaName = .isoA4, _ colour: ColourMode = .monochrome, sides: Sides = .oneSided,
        copies: Int = 1, application: String? = nil
    ) -> PrintJobDescription {
        PrintJobDescription(
            pageRuns: [PageRun(media: media, colour: colour, count: count)], sides: sides, copies: copies,
            application: application)
    }
}

extension Quote {
    /// The exact sum of all line amounts (rounding line included), as scaled units.
    var sumOfItems: Int64 { items.reduce(0) { $0 + $1.amount.scaledUnits } }
}

/// Reads a whole file with the C library (the test target imports no Foundation).
func readFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}
