/// What a format-specific analyser found, before job options are applied.
struct FormatResult {
    /// `nil` exactly when ``failure`` is set.
    var pageCount: Int?
    /// Why the pages were not counted (its page bound is the document analyser's to add).
    var failure: AnalysisFailure?
    var runs: [PageRun] = []
    var applicationCandidates: [(String, ApplicationSource)] = []
    var provenance: [FigureProvenance] = []
    var warnings: [String] = []
    /// Copies the document itself asks the printer for (PostScript `NumCopies`); `runs` describe
    /// one copy.
    var documentCopies = 1
}

/// Collects per-page results into runs.
struct RunBuilder {
    private(set) var runs: [PageRun] = []

    mutating func append(page: Int, media: MediaSize, colour: PageColour, method: ColourMethod) {
        if var last = runs.last, last.lastPage == page - 1, last.media == media, last.colour == colour, last.colourMethod == method {
            last.lastPage = page
            runs[runs.count - 1] = last
        } else {
            runs.append(PageRun(firstPage: page, lastPage: page, media: media, colour: colour, colourMethod: method))
        }
    }

    /// Appends `count` pages starting at `first` with the same description.
    mutating func append(pages first: Int, count: Int, media: MediaSize, colour: PageColour, method: ColourMethod) {
        guard count > 0 else { return }
        append(page: first, media: media, colour: colour, method: method)
        runs[runs.count - 1].lastPage = first + count - 1
    }
}
