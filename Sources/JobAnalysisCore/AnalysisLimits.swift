/// Bounds on the work one analysis may do. A limit reached while deciding colour degrades the
/// colour to `unknown` (with a warning); a limit reached while counting pages makes the analysis
/// a ``JobAnalysis/failure`` (``AnalysisFailure/Kind/tooLarge``, ``AnalysisFailure/Kind/timedOut``):
/// never a guess low.
///
/// The limits follow what real jobs need. CAD plots and posters are hundreds of megabytes (an
/// A0 poster at 300 dpi with one uncompressed CMYK image is 560 MB), and interpreting a document
/// takes roughly as long as its size: text-heavy PostScript is the slowest per byte (20 MB, 3300
/// pages: 6 s to analyse on a loaded 2-core machine, about 3.5 MB/s), images far faster (20 MB in
/// 5 pages: 0.15 s). So time grows with size from a base that no ordinary job approaches, and a
/// small document that computes for minutes (a loop) still stops after the base. Every limit reached holds a job for an
/// administrator (or prices it by a bound), so a limit too tight costs work, one too loose costs
/// a queue that waits: the printer is idle meanwhile.
public struct AnalysisLimits: Sendable, Equatable {
    /// Largest document accepted, in bytes: 2 GiB, four A0 300-dpi posters' worth. The document is
    /// memory-mapped, not read into memory; beyond this a job is too large to analyse.
    public var maxDocumentBytes: Int
    /// Time for deciding colour from page structure, over all pages; later pages are `unknown`.
    public var structureBudget: Duration
    /// Most pages rendered with Ghostscript; further undecided pages are `unknown`.
    public var maxRenderedPages: Int
    /// Wall-clock limit for one Ghostscript process (rendering or PostScript interpretation);
    /// `nil`: ``ghostscriptTime(documentBytes:)``, scaled by the document's size.
    public var ghostscriptTimeout: Duration?
    /// Decoded size above which a content stream is not inspected (Flate bombs).
    public var maxStreamBytes: Int
    /// Operators per content stream above which the page is left to the renderer.
    public var maxOperatorsPerStream: Int
    /// Path of the Ghostscript executable; `nil` disables rendering (undecided pages become `unknown`).
    public var ghostscriptPath: String?
    /// Benchmark/reference mode: render every PDF page (no structural shortcut), up to
    /// ``maxRenderedPages``. Slow; for measuring the structural decision's agreement.
    public var renderAllPages = false

    public init(maxDocumentBytes: Int = 2 << 30, structureBudget: Duration = .seconds(20),
                maxRenderedPages: Int = 1000, ghostscriptTimeout: Duration? = nil,
                maxStreamBytes: Int = 64 << 20, maxOperatorsPerStream: Int = 5_000_000,
                ghostscriptPath: String? = "/usr/bin/gs") {
        self.maxDocumentBytes = maxDocumentBytes
        self.structureBudget = structureBudget
        self.maxRenderedPages = maxRenderedPages
        self.ghostscriptTimeout = ghostscriptTimeout
        self.maxStreamBytes = maxStreamBytes
        self.maxOperatorsPerStream = maxOperatorsPerStream
        self.ghostscriptPath = ghostscriptPath
    }

    /// The time Ghostscript gets for a document of `bytes`: 60 s, plus 1 s per 2 MiB (half the
    /// rate of text-heavy PostScript, the slowest real documents), at most 15 minutes (a 2 GiB
    /// document: a queue should not wait longer for one job's analysis).
    public static func ghostscriptTime(documentBytes bytes: Int) -> Duration {
        min(.seconds(60) + .seconds(max(0, bytes) / (2 << 20)), .seconds(15 * 60))
    }

    /// The time limit for one Ghostscript process on this document.
    public func ghostscriptTimeout(documentBytes: Int) -> Duration {
        ghostscriptTimeout ?? Self.ghostscriptTime(documentBytes: documentBytes)
    }

    /// The most one whole analysis of a document of `bytes` may take, start to end: Ghostscript's
    /// time, the structure budget, and a minute for the rest (start-up, qpdf reading the file at
    /// ~100 MB/s). `tollgate-analyse`'s CPU limit and its caller's wall-clock limit.
    public func analysisTime(documentBytes: Int) -> Duration {
        ghostscriptTimeout(documentBytes: documentBytes) + structureBudget + .seconds(60)
    }
}
