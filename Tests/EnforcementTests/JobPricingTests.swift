import JobAnalysis
import struct Pricing.MediaName
import struct Pricing.PrintJobDescription
import Testing
@testable import Enforcement

@Suite struct JobPricingTests {
    let a4 = MediaSize(widthPoints: 595, heightPoints: 842)

    func analysis(_ runs: [PageRun], format: DocumentFormat = .pdf, options: JobOptions = JobOptions()) -> JobAnalysis {
        JobAnalysis(format: format, pageCount: runs.last?.lastPage ?? 0, pages: runs, application: nil,
                    output: OutputCalculator.output(for: runs, options: options), provenance: [], warnings: [])
    }

    @Test func coloursAndCopiesCarryOver() {
        let runs = [PageRun(firstPage: 1, lastPage: 3, media: a4, colour: .monochrome, colourMethod: .pageStructure),
                    PageRun(firstPage: 4, lastPage: 4, media: a4, colour: .colour, colourMethod: .pageStructure)]
        let job = JobPricing.description(of: analysis(runs, options: JobOptions(copies: 3, sides: .twoSidedLongEdge)))
        #expect(job.copies == 3)
        #expect(job.sides == .twoSided)
        #expect(job.pageRuns.reduce(0) { $0 + $1.count } == 4)
        #expect(job.pageRuns.filter { $0.colour == .colour }.reduce(0) { $0 + $1.count } == 1)
        #expect(job.pageRuns.allSatisfy { $0.media == .isoA4 })
    }

    @Test func unknownColourIsPricedAsColour() {
        let runs = [PageRun(firstPage: 1, lastPage: 2, media: a4, colour: .unknown, colourMethod: .notDetermined)]
        let job = JobPricing.description(of: analysis(runs))
        #expect(job.pageRuns.allSatisfy { $0.colour == .colour })
    }

    @Test func unknownFormatUsesTheFallback() {
        let job = JobPricing.description(of: analysis([], format: .unknown, options: JobOptions(copies: 2)))
        #expect(job.format == .notUnderstood)
        #expect(job.copies == 2)
    }
}
