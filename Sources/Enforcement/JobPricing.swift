import JobAnalysisCore
import Pricing

/// Turns what the analysis says the printer will produce into what the rates card prices.
///
/// Failure policy: nothing is made cheaper by not knowing it. A page whose colour could not be
/// determined is priced as colour; a document whose format was not understood is priced with
/// the card's fallback rate for unknown formats (never free).
public enum JobPricing {
    /// The job to price, from an analysis whose options (copies, number-up, sides, colour mode,
    /// page ranges) were already applied (``JobAnalysis/output``).
    public static func description(of analysis: JobAnalysis) -> PrintJobDescription {
        let output = analysis.output
        let application = analysis.application?.name
        guard analysis.format != .unknown, output.impressionsPerCopy > 0 else {
            return .unknownFormat(copies: max(1, output.copies), application: application)
        }
        let runs = output.impressionTally
            .filter { $0.impressions > 0 }
            .map { tally in
                Pricing.PageRun(media: MediaName(tally.media),
                        colour: tally.colour == .monochrome ? .monochrome : .colour,
                        count: tally.impressions)
            }
        let sides: Sides = output.sides == .oneSided ? .oneSided : .twoSided
        return PrintJobDescription(pageRuns: runs, sides: sides, copies: max(1, output.copies),
                                   application: application, format: .understood)
    }
}
