/// Which figure of the analysis a ``FigureProvenance`` describes.
public enum Figure: String, Codable, Sendable, Equatable {
    case format
    case pageCount
    case media
    case colour
    case application
}

/// How a figure was obtained.
public enum AnalysisMethod: String, Codable, Sendable, Equatable {
    /// Magic bytes at the start of the document.
    case magicBytes
    /// libqpdf's page list (real page objects, not the page tree's /Count).
    case qpdfPageList
    /// PDF page boxes (/MediaBox ∩ /CropBox, /Rotate).
    case pdfPageBoxes
    /// PDF page structure (colour operators, images, shadings, annotations).
    case pdfPageStructure
    /// Ghostscript rendering at 72 dpi of the pages structure could not decide.
    case ghostscriptRender
    /// PDF /Info dictionary.
    case pdfInfo
    /// PostScript DSC comments (%%Creator; never the page count, which is the document's claim).
    case dscComments
    /// PostScript interpreted by Ghostscript (-dSAFER, bbox device) under a time limit.
    case ghostscriptInterpretation
    /// Raster page headers (PWG/CUPS raster, Apple raster).
    case rasterHeaders
    /// PCL: PJL page hints and form feeds counted; no PCL interpreter is available (best effort).
    case pclFormFeedsAndPJL
    /// Plain text: form feeds and lines, at ``TextPagination/linesPerPage`` lines per page.
    case textLines
    /// Given in the job options.
    case jobOptions
    /// Guessed from the job name.
    case jobName
    /// Could not be determined; see the detail.
    case notDetermined
}

/// How one figure was obtained, and how long it took.
public struct FigureProvenance: Codable, Sendable, Equatable {
    public var figure: Figure
    public var method: AnalysisMethod
    /// Wall-clock time spent obtaining the figure, in milliseconds.
    public var milliseconds: Double
    /// A person-readable detail (e.g. "3 of 120 pages rendered").
    public var detail: String?

    public init(figure: Figure, method: AnalysisMethod, milliseconds: Double, detail: String? = nil) {
        self.figure = figure
        self.method = method
        self.milliseconds = (milliseconds * 1000).rounded() / 1000
        self.detail = detail
    }
}

extension Duration {
    /// The duration in (fractional) milliseconds.
    package var milliseconds: Double {
        let (s, attos) = components
        return Double(s) * 1000 + Double(attos) / 1e15
    }
}
