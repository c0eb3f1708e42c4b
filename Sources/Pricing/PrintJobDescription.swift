/// Whether a page side is printed in colour. A colour page in a mostly black document is
/// charged colour once, for that page only.
public enum ColourMode: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case colour
    case monochrome

    public var description: String { rawValue }
}

/// Whether the printer prints on one or both sides of each sheet (IPP `sides`).
public enum Sides: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// IPP `one-sided`.
    case oneSided = "one-sided"
    /// IPP `two-sided-long-edge` or `two-sided-short-edge`.
    case twoSided = "two-sided"

    public var description: String { rawValue }
}

/// One page side as the printer will produce it (after number-up).
public struct PrintedPage: Hashable, Sendable {
    /// Paper size.
    public var media: MediaName
    /// Colour or monochrome.
    public var colour: ColourMode

    /// A page side of `media` in `colour`.
    public init(media: MediaName, colour: ColourMode) {
        self.media = media
        self.colour = colour
    }
}

/// `count` consecutive page sides with the same media and colour, in document order.
/// Runs let a 10^9-page job be described without 10^9 values.
public struct PageRun: Hashable, Sendable {
    /// Paper size of every page side in the run.
    public var media: MediaName
    /// Colour or monochrome, for every page side in the run.
    public var colour: ColourMode
    /// Number of consecutive page sides (0 is skipped; negative is rejected when priced).
    public var count: Int

    /// `count` consecutive page sides of `media` in `colour`.
    public init(media: MediaName, colour: ColourMode, count: Int) {
        self.media = media
        self.colour = colour
        self.count = count
    }
}

/// Whether the job analysis understood the document format.
public enum DocumentFormatStatus: Hashable, Sendable {
    /// Pages, sizes and colour are known.
    case understood
    /// The format could not be analysed: the card's unknown-format charge applies, per copy.
    case notUnderstood
}

/// The job to price, as the printer will produce it. Pricing owns this type; the use-case layer
/// maps the job analysis onto it (Pricing does not import JobAnalysis).
public struct PrintJobDescription: Hashable, Sendable {
    /// Page sides of ONE copy, after number-up, in document order.
    public var pageRuns: [PageRun]
    /// One-sided or two-sided.
    public var sides: Sides
    /// Number of copies (at least 1).
    public var copies: Int
    /// Short name of the originating application (`LibreOffice`, `Microsoft Word`), if known.
    public var application: String?
    /// Whether the document format was understood.
    public var format: DocumentFormatStatus

    /// Describes a job by runs of identical consecutive pages.
    public init(
        pageRuns: [PageRun], sides: Sides, copies: Int = 1, application: String? = nil,
        format: DocumentFormatStatus = .understood
    ) {
        self.pageRuns = pageRuns
        self.sides = sides
        self.copies = copies
        self.application = application
        self.format = format
    }

    /// Describes a job page by page; consecutive equal pages are merged into runs.
    public init(
        pages: [PrintedPage], sides: Sides, copies: Int = 1, application: String? = nil,
        format: DocumentFormatStatus = .understood
    ) {
        var runs: [PageRun] = []
        for page in pages {
            if let last = runs.last, last.media == page.media, last.colour == page.colour {
                runs[runs.count - 1].count += 1
            } else {
                runs.append(PageRun(media: page.media, colour: page.colour, count: 1))
            }
        }
        self.init(pageRuns: runs, sides: sides, copies: copies, application: application, format: format)
    }

    /// A document the analysis could not read: only copies (and the application) are known.
    public static func unknownFormat(copies: Int = 1, application: String? = nil) -> PrintJobDescription {
        PrintJobDescription(pageRuns: [], sides: .oneSided, copies: copies, application: application, format: .notUnderstood)
    }
}
