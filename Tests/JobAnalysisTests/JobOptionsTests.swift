import Testing
@testable import JobAnalysis

@Suite("Job options: impressions and sheets")
struct JobOptionsTests {
    static let a4 = MediaSize(widthPoints: 595, heightPoints: 842)
    static let a3 = MediaSize(widthPoints: 842, heightPoints: 1191)

    /// Five A4 pages, page 3 colour.
    static let runs = [
        PageRun(firstPage: 1, lastPage: 2, media: a4, colour: .monochrome, colourMethod: .pageStructure),
        PageRun(firstPage: 3, lastPage: 3, media: a4, colour: .colour, colourMethod: .pageStructure),
        PageRun(firstPage: 4, lastPage: 5, media: a4, colour: .monochrome, colourMethod: .pageStructure),
    ]

    @Test func defaults() {
        let o = OutputCalculator.output(for: Self.runs, options: JobOptions())
        #expect(o.selectedPages == 5 && o.impressionsPerCopy == 5 && o.sheetsPerCopy == 5)
        #expect(o.colourImpressionsPerCopy == 1)
        #expect(o.impressionTally == [ImpressionTally(media: "iso_a4_210x297mm", colour: .monochrome, impressions: 4),
                                      ImpressionTally(media: "iso_a4_210x297mm", colour: .colour, impressions: 1)])
    }

    @Test func copiesAndDuplex() {
        let o = OutputCalculator.output(for: Self.runs, options: JobOptions(copies: 3, sides: .twoSidedLongEdge))
        #expect(o.impressionsPerCopy == 5 && o.sheetsPerCopy == 3)
        #expect(o.totalImpressions == 15 && o.totalSheets == 9)
        let short = OutputCalculator.output(for: Self.runs, options: JobOptions(sides: .twoSidedShortEdge))
        #expect(short.sheetsPerCopy == 3)
    }

    @Test func numberUpMergesColour() {
        let o = OutputCalculator.output(for: Self.runs, options: JobOptions(numberUp: 2))
        // Sides: (1,2) mono, (3,4) colour, (5) mono.
        #expect(o.impressionsPerCopy == 3)
        #expect(o.colourImpressionsPerCopy == 1)
        let four = OutputCalculator.output(for: Self.runs, options: JobOptions(numberUp: 4, sides: .twoSidedLongEdge))
        #expect(four.impressionsPerCopy == 2 && four.sheetsPerCopy == 1 && four.colourImpressionsPerCopy == 1)
    }

    @Test func monochromeMode() {
        let o = OutputCalculator.output(for: Self.runs, options: JobOptions(colourMode: .monochrome))
        #expect(o.colourImpressionsPerCopy == 0 && o.impressionsPerCopy == 5)
    }

    @Test func pageRanges() throws {
        let ranges = try #require(JobOptions.parsePageRanges("1-2, 5"))
        #expect(ranges == [1...2, 5...5])
        let o = OutputCalculator.output(for: Self.runs, options: JobOptions(pageRanges: ranges))
        #expect(o.selectedPages == 3 && o.colourImpressionsPerCopy == 0)
        let open = try #require(JobOptions.parsePageRanges("3-"))
        #expect(OutputCalculator.output(for: Self.runs, options: JobOptions(pageRanges: open)).selectedPages == 3)
        let overlapping = try #require(JobOptions.parsePageRanges("1-3,2-4"))
        #expect(OutputCalculator.output(for: Self.runs, options: JobOptions(pageRanges: overlapping)).selectedPages == 4)
        let beyond = try #require(JobOptions.parsePageRanges("9-12"))
        #expect(OutputCalculator.output(for: Self.runs, options: JobOptions(pageRanges: beyond)).impressionsPerCopy == 0)
        #expect(JobOptions.parsePageRanges("3-1") == nil)
        #expect(JobOptions.parsePageRanges("a") == nil)
        #expect(JobOptions.parsePageRanges("0-2") == nil)
    }

    @Test func mixedMedia() {
        let runs = [
            PageRun(firstPage: 1, lastPage: 1, media: Self.a4, colour: .monochrome, colourMethod: .pageStructure),
            PageRun(firstPage: 2, lastPage: 2, media: Self.a3, colour: .monochrome, colourMethod: .pageStructure),
        ]
        let o = OutputCalculator.output(for: runs, options: JobOptions())
        #expect(o.impressionTally.map(\.media) == ["iso_a4_210x297mm", "iso_a3_297x420mm"])
    }

    @Test func validation() {
        #expect(JobOptions(copies: 0).validationError() != nil)
        #expect(JobOptions(numberUp: 0).validationError() != nil)
        #expect(JobOptions().validationError() == nil)
        #expect(throws: AnalysisError.self) { try DocumentAnalyser().analyse(path: "/dev/null", options: JobOptions(copies: -1)) }
    }

    @Test func optionsEndToEnd() throws {
        let docs = TestDocuments()
        let pdf = try docs.pdf("five.pdf", postscript: """
        %!PS
        1 1 5 { /n exch def n 3 eq { 1 0 0 setrgbcolor } { 0 setgray } ifelse
          72 72 moveto 100 100 rlineto stroke showpage } for
        """)
        let a = try analyse(pdf, JobOptions(copies: 2, numberUp: 2, sides: .twoSidedLongEdge, pageRanges: [2...5]))
        #expect(a.output.selectedPages == 4)
        #expect(a.output.impressionsPerCopy == 2 && a.output.sheetsPerCopy == 1)
        #expect(a.output.totalSheets == 2 && a.output.colourImpressionsPerCopy == 1)
    }
}
