extension JobAnalysis {
    /// One analysis for the documents of a multi-document job, printed one after the other with
    /// the same options: each document starts on a new sheet, and CUPS applies page ranges and
    /// number-up to each document on its own, so their printed outputs add up.
    ///
    /// A document whose pages could not be counted makes the whole job uncounted (that one is
    /// returned): one unknown part is never priced as nothing.
    public static func concatenating(_ documents: [JobAnalysis]) -> JobAnalysis? {
        guard var combined = documents.first else { return nil }
        if let uncounted = documents.first(where: { !$0.isCountKnown || $0.format == .unknown }) { return uncounted }
        for next in documents.dropFirst() {
            let offset = combined.pageCount ?? 0
            combined.pageCount = offset + (next.pageCount ?? 0)
            combined.pages += next.pages.map {
                PageRun(firstPage: $0.firstPage + offset, lastPage: $0.lastPage + offset, media: $0.media,
                        colour: $0.colour, colourMethod: $0.colourMethod)
            }
            combined.application = combined.application ?? next.application
            combined.provenance += next.provenance
            combined.warnings += next.warnings
            combined.output = combined.output.followed(by: next.output)
        }
        return combined
    }
}

extension PrintedOutput {
    /// This output, then `next` on new sheets, with this output's copies and options.
    func followed(by next: PrintedOutput) -> PrintedOutput {
        var tally = impressionTally
        for entry in next.impressionTally {
            if let index = tally.firstIndex(where: { $0.media == entry.media && $0.colour == entry.colour }) {
                tally[index].impressions += entry.impressions
            } else {
                tally.append(entry)
            }
        }
        return PrintedOutput(copies: copies, numberUp: numberUp, sides: sides, colourMode: colourMode,
                             selectedPages: selectedPages + next.selectedPages,
                             impressionsPerCopy: impressionsPerCopy + next.impressionsPerCopy,
                             sheetsPerCopy: sheetsPerCopy + next.sheetsPerCopy, impressionTally: tally)
    }
}
