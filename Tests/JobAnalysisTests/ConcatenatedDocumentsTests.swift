import Testing
@testable import JobAnalysis
import JobAnalysisCore

/// A multi-document job: printed outputs add up, pages are numbered on, one unknown part
/// makes the whole job unknown.
@Suite struct ConcatenatedDocumentsTests {
    static let a4 = MediaSize(widthPoints: 595.28, heightPoints: 841.89)

    static func document(pages: [PageColour], options: JobOptions) -> JobAnalysis {
        var builder = RunBuilder()
        for (index, colour) in pages.enumerated() {
            builder.append(page: index + 1, media: a4, colour: colour, method: .pageStructure)
        }
        return JobAnalysis(format: .pdf, pageCount: pages.count, pages: builder.runs, application: nil,
                           output: OutputCalculator.output(for: builder.runs, options: options), provenance: [], warnings: [])
    }

    @Test func outputsAddUpAndPagesAreNumberedOn() throws {
        let options = JobOptions(copies: 2, numberUp: 2, sides: .oneSided, colourMode: .auto, pageRanges: [],
                                 jobName: nil, applicationName: nil)
        let first = Self.document(pages: [.monochrome, .monochrome, .monochrome], options: options)   // 2 sides
        let second = Self.document(pages: [.colour], options: options)                               // 1 side
        let job = try #require(JobAnalysis.concatenating([first, second]))
        #expect(job.pageCount == 4)
        #expect(job.pages.last?.firstPage == 4 && job.pages.last?.colour == .colour)
        #expect(job.output.impressionsPerCopy == 3, "number-up applies to each document: 2 + 1 sides, not 2")
        #expect(job.output.sheetsPerCopy == 3)
        #expect(job.output.copies == 2 && job.output.totalImpressions == 6)
        #expect(job.output.colourImpressionsPerCopy == 1)
    }

    @Test func oneUncountedDocumentMakesTheJobUncounted() throws {
        let options = JobOptions(copies: 1, numberUp: 1, sides: .oneSided, colourMode: .auto, pageRanges: [],
                                 jobName: nil, applicationName: nil)
        let counted = Self.document(pages: [.monochrome], options: options)
        let unknown = JobAnalysis(format: .unknown, formatReason: "garbage", pageCount: nil, pages: [], application: nil,
                                  output: OutputCalculator.output(for: [], options: options), provenance: [], warnings: [],
                                  failure: AnalysisFailure(kind: .unrecognisedFormat, detail: "garbage"))
        #expect(JobAnalysis.concatenating([counted, unknown])?.isCountKnown == false)
        #expect(JobAnalysis.concatenating([]) == nil)
    }
}

/// cups-filters' pdftopdf lays out number-up first, then keeps the sides page-ranges names.
@Suite struct CupsFiltersLayoutTests {
    static let a4 = MediaSize(widthPoints: 595.28, heightPoints: 841.89)
    static let letter = MediaSize(widthPoints: 612, heightPoints: 792)

    static func runs(_ pages: [(MediaSize, PageColour)]) -> [PageRun] {
        var builder = RunBuilder()
        for (index, page) in pages.enumerated() { builder.append(page: index + 1, media: page.0, colour: page.1, method: .pageStructure) }
        return builder.runs
    }

    @Test func pageRangesNameSidesAfterNumberUp() {
        // Five A4 pages, page 2 colour; 2-up gives sides {1,2} colour, {3,4} mono, {5} mono.
        let pages = Self.runs([(Self.a4, .monochrome), (Self.a4, .colour), (Self.a4, .monochrome), (Self.a4, .monochrome), (Self.a4, .monochrome)])
        let options = JobOptions(copies: 2, numberUp: 2, sides: .oneSided, colourMode: .auto, pageRanges: [1...2])
        let laidOut = OutputCalculator.outputLaidOutByCupsFilters(for: pages, options: options)
        #expect(laidOut.impressionsPerCopy == 2 && laidOut.colourImpressionsPerCopy == 1 && laidOut.totalImpressions == 4)
        #expect(laidOut.numberUp == 2)
        // IPP's order (pages 1-2 first) would print one side.
        #expect(OutputCalculator.output(for: pages, options: options).impressionsPerCopy == 1)
        // Side 3 alone is page 5.
        var third = options
        third.pageRanges = [3...3]
        #expect(OutputCalculator.outputLaidOutByCupsFilters(for: pages, options: third).impressionTally
                == [ImpressionTally(media: "iso_a4_210x297mm", colour: .monochrome, impressions: 1)])
    }

    @Test func withoutNumberUpBothOrdersAgree() {
        let pages = Self.runs([(Self.letter, .unknown), (Self.a4, .monochrome), (Self.a4, .colour)])
        let options = JobOptions(copies: 1, numberUp: 1, sides: .twoSidedLongEdge, colourMode: .auto, pageRanges: [2...3])
        #expect(OutputCalculator.outputLaidOutByCupsFilters(for: pages, options: options) == OutputCalculator.output(for: pages, options: options))
    }

    @Test func aSideTakesItsFirstPagesMediaAndAnyColour() {
        let pages = Self.runs([(Self.letter, .monochrome), (Self.a4, .unknown), (Self.a4, .monochrome), (Self.a4, .monochrome)])
        let laidOut = OutputCalculator.outputLaidOutByCupsFilters(for: pages, options: JobOptions(numberUp: 2))
        #expect(laidOut.impressionTally == [ImpressionTally(media: "na_letter_8.5x11in", colour: .unknown, impressions: 1),
                                            ImpressionTally(media: "iso_a4_210x297mm", colour: .monochrome, impressions: 1)])
    }
}
