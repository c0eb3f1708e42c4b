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

    @Test func analysedDocumentsRoundTrip() throws {
        let docs = TestDocuments()
        let pdf = try docs.pdf("doc.pdf", postscript: AnalyseToolTests.twoPages)
        let a = try analyse(pdf, JobOptions(copies: 3))
        let text = try #require(a.jsonText)
        #expect(try JobAnalysis(json: Array(text.utf8)) == a)
    }
}
