/// What a print job will produce, as far as the document itself can tell: the result of
/// ``DocumentAnalyser/analyse(_:options:)`` and the JSON that `tollgate-analyse --json` prints.
///
/// Pages are described as runs of consecutive pages that share media and colour, so a
/// 100 000-page document stays small; ``page(_:)`` and ``allPages`` give the per-page view.
public struct JobAnalysis: Codable, Sendable, Equatable {
    /// The detected document format.
    public var format: DocumentFormat
    /// Why the format is ``DocumentFormat/unknown`` (or other caveats about detection).
    public var formatReason: String?
    /// Number of pages in the document, before copies, page ranges and number-up.
    /// `nil` exactly when the analysis failed: ``failure`` says why.
    public var pageCount: Int?
    /// Consecutive pages with the same media and colour, in document order.
    public var pages: [PageRun]
    /// The application that produced the document, when known.
    public var application: OriginatingApplication?
    /// What the printer will produce once the job options are applied. When ``pageCount`` is
    /// `nil` this holds zero impressions: that is "unknown", not "free"; price such a job as
    /// ``failure`` says (by its page bound, or hold it).
    public var output: PrintedOutput
    /// How each figure was obtained and how long it took.
    public var provenance: [FigureProvenance]
    /// Things a person may want to know (repairs qpdf made, pages not inspected, …).
    public var warnings: [String]
    /// Why the pages could not be counted (too large, timed out, damaged …) and what still bounds
    /// them; `nil` when ``pageCount`` is known.
    public var failure: AnalysisFailure?

    public init(format: DocumentFormat, formatReason: String? = nil, pageCount: Int?, pages: [PageRun],
                application: OriginatingApplication?, output: PrintedOutput,
                provenance: [FigureProvenance], warnings: [String], failure: AnalysisFailure? = nil) {
        self.format = format
        self.formatReason = formatReason
        self.pageCount = pageCount
        self.pages = pages
        self.application = application
        self.output = output
        self.provenance = provenance
        self.warnings = warnings
        self.failure = failure
    }

    /// The analysis of a document that could not be analysed: no pages, zero impressions (not a
    /// price basis), and the failure. Used where the analyser itself did not answer (killed at
    /// its time limit, crashed), with what the caller still knows of the document.
    public init(failure: AnalysisFailure, format: DocumentFormat, formatReason: String? = nil, options: JobOptions) {
        self.init(format: format, formatReason: formatReason, pageCount: nil, pages: [], application: nil,
                  output: OutputCalculator.output(for: [], options: options),
                  provenance: [FigureProvenance(figure: .pageCount, method: .notDetermined, milliseconds: 0,
                                                detail: failure.detail)],
                  warnings: [], failure: failure)
    }

    /// The description of document page `number` (1-based), or `nil` when out of range.
    public func page(_ number: Int) -> PageInfo? {
        for run in pages where run.firstPage <= number && number <= run.lastPage {
            return PageInfo(number: number, media: run.media, colour: run.colour, colourMethod: run.colourMethod)
        }
        return nil
    }

    /// Every page, expanded from the runs (allocates one value per page).
    public var allPages: [PageInfo] {
        pages.flatMap { run in
            (run.firstPage...run.lastPage).map {
                PageInfo(number: $0, media: run.media, colour: run.colour, colourMethod: run.colourMethod)
            }
        }
    }

    /// False when the page count could not be determined (``failure`` says why): ``output`` is
    /// then not a price basis.
    public var isCountKnown: Bool { pageCount != nil }

    /// Number of document pages judged colour.
    public var colourPageCount: Int {
        pages.filter { $0.colour == .colour }.reduce(0) { $0 + $1.count }
    }
}

/// One document page.
public struct PageInfo: Sendable, Equatable {
    /// 1-based page number.
    public var number: Int
    public var media: MediaSize
    public var colour: PageColour
    public var colourMethod: ColourMethod
}

/// Consecutive document pages (1-based, inclusive) that share media, colour and colour method.
public struct PageRun: Codable, Sendable, Equatable {
    public var firstPage: Int
    public var lastPage: Int
    public var media: MediaSize
    public var colour: PageColour
    public var colourMethod: ColourMethod

    public init(firstPage: Int, lastPage: Int, media: MediaSize, colour: PageColour, colourMethod: ColourMethod) {
        self.firstPage = firstPage
        self.lastPage = lastPage
        self.media = media
        self.colour = colour
        self.colourMethod = colourMethod
    }

    /// Number of pages in the run.
    public var count: Int { lastPage - firstPage + 1 }
}

/// Whether a printed page shows colour, as a person judges it.
public enum PageColour: String, Codable, Sendable, Equatable {
    /// Some part of the page is visibly not neutral grey.
    case colour
    /// Black, white and greys only.
    case monochrome
    /// Not determined (page not inspected within the time budget, renderer failed, format
    /// carries no colour information). Pricing should charge it as the queue's fallback says
    /// (normally as colour): never as free.
    case unknown
}

/// How a page's colour was decided.
public enum ColourMethod: String, Codable, Sendable, Equatable {
    /// From the page's content streams, resources, images and annotations, without rendering.
    case pageStructure
    /// Rendered at 72 dpi with Ghostscript and the pixels checked (max−min channel spread > 16).
    case ghostscriptRender
    /// `print-color-mode=monochrome`: every page prints monochrome.
    case colourModeOption
    /// From a raster page header's colour space (grey spaces are monochrome).
    case rasterHeader
    /// From the raster page's own pixels (8-bit RGB/CMYK), with the same spread rule.
    case rasterPixels
    /// The format carries no colour information (plain text, PCL): assumed monochrome.
    case assumedMonochrome
    /// Not determined; see ``PageColour/unknown``.
    case notDetermined
}

/// The physical size of a page as printed and its PWG 5101.1 media name.
public struct MediaSize: Codable, Sendable, Equatable, Hashable {
    /// Width in PostScript points (1/72 in) as the page is displayed (after /Rotate).
    public var widthPoints: Double
    /// Height in points as the page is displayed.
    public var heightPoints: Double
    /// Nearest PWG media name within a few millimetres (orientation-independent), for example
    /// `iso_a4_210x297mm`, or `custom_WxHmm` (portrait, whole millimetres) when none is close.
    public var pwgName: String

    public init(widthPoints: Double, heightPoints: Double, pwgName: String) {
        self.widthPoints = widthPoints
        self.heightPoints = heightPoints
        self.pwgName = pwgName
    }

    /// The media for a page of the given size in points, named by ``PWGMedia/name(widthPoints:heightPoints:)``.
    public init(widthPoints: Double, heightPoints: Double) {
        let w = (widthPoints * 100).rounded() / 100
        let h = (heightPoints * 100).rounded() / 100
        self.init(widthPoints: w, heightPoints: h, pwgName: PWGMedia.name(widthPoints: w, heightPoints: h))
    }

    /// True when wider than tall.
    public var isLandscape: Bool { widthPoints > heightPoints }
}

/// The application that produced the document.
public struct OriginatingApplication: Codable, Sendable, Equatable {
    /// Short normalised name (`LibreOffice`, `Microsoft Word`, `pdfTeX`, `Chrome`, …), or the
    /// raw string's first words when it is not a known application.
    public var name: String
    /// The string it was derived from, as found.
    public var raw: String
    /// Where the string came from.
    public var source: ApplicationSource

    public init(name: String, raw: String, source: ApplicationSource) {
        self.name = name
        self.raw = raw
        self.source = source
    }
}

/// Where an originating application name came from.
public enum ApplicationSource: String, Codable, Sendable, Equatable {
    /// Given by the caller (an IPP job attribute).
    case jobAttribute
    /// PDF `/Info /Creator`.
    case pdfCreator
    /// PDF `/Info /Producer`.
    case pdfProducer
    /// PostScript `%%Creator:` comment.
    case dscCreator
    /// PJL `@PJL SET JOBNAME`/`@PJL JOB NAME` or similar.
    case pjl
    /// Guessed from the job name (`Microsoft Word - report.docx`).
    case jobName
}
