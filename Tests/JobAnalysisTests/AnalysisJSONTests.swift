import FoundationEssentials
import Testing
@testable import JobAnalysis
@testable import JobAnalysisCore

/// The Foundation-free JSON between `tollgate-analyse` and the backend: same shape as Codable,
/// round trips exactly, and refuses what is not a job analysis.
@Suite("Analysis JSON")
struct AnalysisJSONTests {
    static let sample = JobAnalysis(
        format: .pdf, formatReason: "quote \" backslash \\ newline \n tab \t bell \u{07} é 🖨",
        pageCount: 3,
        pages: [PageRun(firstPage: 1, lastPage: 2, media: MediaSize(widthPoints: 595.276, heightPoints: 841.89),
                        colour: .monochrome, colourMethod: .pageStructure),
                PageRun(firstPage: 3, lastPage: 3, media: MediaSize(widthPoints: 612, heightPoints: 792),
                        colour: .colour, colourMethod: .ghostscriptRender)],
        application: OriginatingApplication(name: "Word", raw: "Microsoft® Word", source: .pdfCreator),
        output: OutputCalculator.output(
            for: [PageRun(firstPage: 1, lastPage: 2, media: MediaSize(widthPoints: 595.276, heightPoints: 841.89),
                          colour: .monochrome, colourMethod: .pageStructure),
                  PageRun(firstPage: 3, lastPage: 3, media: MediaSize(widthPoints: 612, heightPoints: 792),
                          colour: .colour, colourMethod: .ghostscriptRender)],
            options: JobOptions(copies: 2, sides: .twoSidedLongEdge)),
        provenance: [FigureProvenance(figure: .pageCount, method: .qpdfPageList, milliseconds: 0.123456),
                     FigureProvenance(figure: .colour, method: .ghostscriptRender, milliseconds: 12, detail: "1 page rendered")],
        warnings: ["qpdf repaired the xref table", ""])

    @Test func roundTripsExactly() throws {
        let text = try #require(Self.sample.jsonText)
        #expect(try JobAnalysis(json: Array(text.utf8)) == Self.sample)
    }

    @Test func foundationReadsWhatWeWriteAndWeReadWhatFoundationWrites() throws {
        let text = try #require(Self.sample.jsonText)
        #expect(try JSONDecoder().decode(JobAnalysis.self, from: Data(text.utf8)) == Self.sample)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let foundation = try encoder.encode(Self.sample)
        #expect(try JobAnalysis(json: Array(foundation)) == Self.sample)
        // Sorted keys, like the JSONEncoder output it replaces.
        #expect(text.hasPrefix("{\"application\":{\"name\":\"Word\""))
    }

    @Test func absentOptionalsAreOmittedAndRead() throws {
        var a = Self.sample
        a.formatReason = nil
        a.pageCount = nil
        a.failure = AnalysisFailure(kind: .timedOut, detail: "stopped")
        a.application = nil
        let text = try #require(a.jsonText)
        #expect(!text.contains("\"formatReason\":") && !text.contains("\"pageCount\":") && !text.contains("\"application\":"))
        #expect(try JobAnalysis(json: Array(text.utf8)) == a)
    }

    @Test func nonFiniteNumbersAreNotWritten() {
        var a = Self.sample
        a.provenance = [FigureProvenance(figure: .format, method: .magicBytes, milliseconds: .infinity)]
        #expect(a.jsonText == nil)
    }

    @Test(arguments: [
        "", "{", "[]", "null", "{\"format\":\"pdf\"}", "{} x",
        String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
        "{\"a\":1,\"a\":2}", "{\"s\":\"\u{01}\"}", "{\"s\":\"\\ud800\"}", "{\"n\":01}", "{\"n\":1.}", "{\"n\":-}",
    ])
    func refusesWhatIsNotAnAnalysis(text: String) {
        #expect(throws: JSONReadError.self) { try JobAnalysis(json: Array(text.utf8)) }
    }

    @Test func refusesWrongTypesUnknownValuesAndInconsistentTotals() throws {
        let text = try #require(Self.sample.jsonText)
        for (from, to) in [("\"pageCount\":3", "\"pageCount\":3.5"), ("\"format\":\"pdf\"", "\"format\":\"exe\""),
                           ("\"totalSheets\":", "\"totalSheets\":1"), ("\"copies\":2", "\"copies\":\"2\"")] {
            let bad = text.replacing(from, with: to)
            #expect(bad != text)
            #expect(throws: JSONReadError.self) { try JobAnalysis(json: Array(bad.utf8)) }
        }
        #expect(throws: JSONReadError.self) { try JobAnalysis(json: Array(text.utf8.dropLast())) }
        #expect(throws: JSONReadError.self) { try JobAnalysis(json: [0xFF] + Array(text.utf8)) }
    }

    /// A failure travels with its kind, detail and bound, and Foundation agrees on the shape.
    @Test(arguments: [PageBound(maxPages: 812, basis: .rasterPageHeaders), nil])
    func failuresRoundTrip(bound: PageBound?) throws {
        var a = JobAnalysis(failure: AnalysisFailure(kind: .timedOut, detail: "Ghostscript was stopped after 70 s, after 3 pages",
                                                     pageBound: bound),
                            format: .pwgRaster, options: JobOptions(copies: 2))
        a.warnings = ["a warning"]
        let text = try #require(a.jsonText)
        #expect(try JobAnalysis(json: Array(text.utf8)) == a)
        #expect(text.contains("\"failure\":{\"detail\":\"Ghostscript was stopped after 70 s, after 3 pages\",\"kind\":\"timedOut\""))
        #expect(text.contains("\"pageBound\":{\"basis\":\"rasterPageHeaders\",\"maxPages\":812}") == (bound != nil))
        #expect(try JSONDecoder().decode(JobAnalysis.self, from: Data(text.utf8)) == a)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try JobAnalysis(json: Array(try encoder.encode(a))) == a)
        #expect(String(decoding: try encoder.encode(a), as: UTF8.self) == text)
    }

    @Test func everyFailureKindRoundTrips() throws {
        for kind in AnalysisFailure.Kind.allCases {
            let a = JobAnalysis(failure: AnalysisFailure(kind: kind, detail: kind.sentence), format: .pdf, options: JobOptions())
            #expect(try JobAnalysis(json: Array(try #require(a.jsonText).utf8)) == a)
            #expect(!kind.sentence.isEmpty && !kind.sentence.hasSuffix("."))
        }
    }

    /// A count and a failure contradict each other, and so does neither; a bound is not negative.
    @Test func refusesContradictoryFailures() throws {
        let counted = try #require(Self.sample.jsonText)
        let failure = "\"failure\":{\"detail\":\"x\",\"kind\":\"crashed\"},"
        for bad in [counted.replacing("\"format\":", with: failure + "\"format\":"),
                    counted.replacing("\"pageCount\":3,", with: ""),
                    counted.replacing("\"pageCount\":3,", with: "").replacing("\"format\":", with: failure.replacing("}", with: ",\"pageBound\":{\"basis\":\"textBytes\",\"maxPages\":-1}}") + "\"format\":"),
                    counted.replacing("\"pageCount\":3,", with: "").replacing("\"format\":", with: failure.replacing("crashed", with: "exploded") + "\"format\":")] {
            #expect(bad != counted)
            #expect(throws: JSONReadError.self) { try JobAnalysis(json: Array(bad.utf8)) }
        }
        let failed = counted.replacing("\"pageCount\":3,", with: "").replacing("\"format\":", with: failure + "\"format\":")
        #expect(try JobAnalysis(json: Array(failed.utf8)).failure == AnalysisFailure(kind: .crashed, detail: "x"))
    }

    @Test func analysedDocumentsRoundTrip() throws {
        let docs = TestDocuments()
        let pdf = try docs.pdf("doc.pdf", postscript: AnalyseToolTests.twoPages)
        let a = try analyse(pdf, JobOptions(copies: 3))
        let text = try #require(a.jsonText)
        #expect(try JobAnalysis(json: Array(text.utf8)) == a)
        let damaged = try analyse(docs.write("damaged.pdf", "%PDF-1.7\nnot a pdf at all\n"))
        #expect(damaged.failure?.kind == .malformed)
        #expect(try JobAnalysis(json: Array(try #require(damaged.jsonText).utf8)) == damaged)
    }
}
