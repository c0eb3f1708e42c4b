/// What the printer produces once copies, page ranges, number-up, sides and colour mode are
/// applied to the document's pages.
///
/// An *impression* is one printed side of a sheet. With number-up N, N consecutive selected
/// pages share one impression; the impression is colour when any of them is colour, and its
/// media is that of its first page (printers put N-up pages on the first page's media).
public struct PrintedOutput: Codable, Sendable, Equatable {
    public var copies: Int
    public var numberUp: Int
    public var sides: JobOptions.Sides
    public var colourMode: JobOptions.ColourMode
    /// Document pages selected by the page ranges (all when none were given).
    public var selectedPages: Int
    /// Printed sides per copy.
    public var impressionsPerCopy: Int
    /// Sheets per copy (two-sided: impressions halved, rounded up).
    public var sheetsPerCopy: Int
    /// Impressions per copy by media and colour, in order of first appearance.
    public var impressionTally: [ImpressionTally]
    /// `impressionsPerCopy × copies`.
    public var totalImpressions: Int
    /// `sheetsPerCopy × copies`.
    public var totalSheets: Int

    public init(copies: Int, numberUp: Int, sides: JobOptions.Sides, colourMode: JobOptions.ColourMode,
                selectedPages: Int, impressionsPerCopy: Int, sheetsPerCopy: Int,
                impressionTally: [ImpressionTally]) {
        self.copies = copies
        self.numberUp = numberUp
        self.sides = sides
        self.colourMode = colourMode
        self.selectedPages = selectedPages
        self.impressionsPerCopy = impressionsPerCopy
        self.sheetsPerCopy = sheetsPerCopy
        self.impressionTally = impressionTally
        self.totalImpressions = impressionsPerCopy * copies
        self.totalSheets = sheetsPerCopy * copies
    }

    /// Colour impressions per copy.
    public var colourImpressionsPerCopy: Int {
        impressionTally.filter { $0.colour == .colour }.reduce(0) { $0 + $1.impressions }
    }
}

/// A number of impressions (per copy) that share media and colour.
public struct ImpressionTally: Codable, Sendable, Equatable {
    /// PWG media name.
    public var media: String
    public var colour: PageColour
    public var impressions: Int

    public init(media: String, colour: PageColour, impressions: Int) {
        self.media = media
        self.colour = colour
        self.impressions = impressions
    }
}

/// Applies job options to per-page results.
public enum OutputCalculator {
    /// The printed output of a document whose pages are `runs` under `options`.
    ///
    /// Page ranges beyond the last page are ignored (as CUPS does); `print-color-mode=monochrome`
    /// turns every impression monochrome. A document with pages but a page count of zero after
    /// the ranges yields zero impressions: nothing prints.
    public static func output(for runs: [PageRun], options: JobOptions) -> PrintedOutput {
        let numberUp = max(1, options.numberUp)
        let ranges = options.pageRanges
        func selected(_ page: Int) -> Bool {
            ranges.isEmpty || ranges.contains { $0.contains(page) }
        }
        var tally: [ImpressionTally] = []
        func add(media: String, colour: PageColour, count: Int) {
            guard count > 0 else { return }
            if let i = tally.firstIndex(where: { $0.media == media && $0.colour == colour }) {
                tally[i].impressions += count
            } else {
                tally.append(ImpressionTally(media: media, colour: colour, impressions: count))
            }
        }
        var selectedCount = 0
        var impressions = 0
        // The impression being filled: its media, colour so far, pages on it.
        var slotMedia = "", slotColour = PageColour.monochrome, slotFill = 0
        func flush() {
            if slotFill > 0 { add(media: slotMedia, colour: slotColour, count: 1); impressions += 1 }
            slotFill = 0
        }
        for run in runs {
            let colour: PageColour = options.colourMode == .monochrome ? .monochrome : run.colour
            // Count the selected pages of this run without visiting each page when there are no ranges.
            var n: Int
            if ranges.isEmpty {
                n = run.count
            } else {
                n = 0
                for r in ranges {
                    let lo = max(r.lowerBound, run.firstPage), hi = min(r.upperBound, run.lastPage)
                    if lo <= hi { n += hi - lo + 1 }
                }
                // Overlapping ranges must not count a page twice.
                if ranges.count > 1 { n = (run.firstPage...run.lastPage).reduce(0) { $0 + (selected($1) ? 1 : 0) } }
            }
            selectedCount += n
            // Fill the open slot first, then whole impressions, then open a new slot.
            while n > 0 {
                if slotFill == 0 && n >= numberUp {
                    let whole = n / numberUp
                    add(media: run.media.pwgName, colour: colour, count: whole)
                    impressions += whole
                    n -= whole * numberUp
                    continue
                }
                if slotFill == 0 { slotMedia = run.media.pwgName; slotColour = colour } else { slotColour = sharedSide(slotColour, colour) }
                let take = min(n, numberUp - slotFill)
                slotFill += take
                n -= take
                if slotFill == numberUp { flush() }
            }
        }
        flush()
        let sheets = options.sides.isTwoSided ? (impressions + 1) / 2 : impressions
        return PrintedOutput(copies: max(1, options.copies), numberUp: numberUp, sides: options.sides,
                             colourMode: options.colourMode, selectedPages: selectedCount,
                             impressionsPerCopy: impressions, sheetsPerCopy: sheets, impressionTally: tally)
    }

    /// The colour of a side that holds pages of colours `a` and `b` (number-up): colour if either
    /// is, unknown if either is, else monochrome.
    static func sharedSide(_ a: PageColour, _ b: PageColour) -> PageColour {
        if a == .colour || b == .colour { return .colour }
        if a == .unknown || b == .unknown { return .unknown }
        return .monochrome
    }

    /// The printed output when cupsd's filter chain lays the document out: cups-filters'
    /// pdftopdf (1.28, Debian 12) puts `number-up` pages on each side first, then keeps the sides
    /// that `page-ranges` names (`number-up=2 page-ranges=1-2` prints document pages 1-4), where
    /// IPP printers, and ``output(for:options:)``, select document pages first.
    /// ``PrintedOutput/selectedPages`` then counts sides.
    public static func outputLaidOutByCupsFilters(for runs: [PageRun], options: JobOptions) -> PrintedOutput {
        let numberUp = max(1, options.numberUp)
        var onePerSide = options
        onePerSide.numberUp = 1
        guard numberUp > 1 else { return output(for: runs, options: onePerSide) }
        // One run per side: media of its first page, colour as ``sharedSide(_:_:)`` says.
        var sides: [PageRun] = []
        var side = 0, filled = 0
        var media = MediaSize(widthPoints: 0, heightPoints: 0), colour = PageColour.monochrome, method = ColourMethod.notDetermined
        func close() {
            guard filled > 0 else { return }
            side += 1
            if let last = sides.last, last.media == media, last.colour == colour, last.lastPage == side - 1 {
                sides[sides.count - 1].lastPage = side
            } else {
                sides.append(PageRun(firstPage: side, lastPage: side, media: media, colour: colour, colourMethod: method))
            }
            filled = 0
        }
        for run in runs {
            for _ in 0..<run.count {
                if filled == 0 {
                    media = run.media; colour = run.colour; method = run.colourMethod
                } else {
                    colour = sharedSide(colour, run.colour)
                }
                filled += 1
                if filled == numberUp { close() }
            }
        }
        close()
        var result = output(for: sides, options: onePerSide)
        result.numberUp = numberUp
        return result
    }
}
