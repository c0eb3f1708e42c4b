/// Bounds on the work one analysis may do. Every limit, when reached, degrades a figure to
/// `unknown` (with a warning) instead of failing the job or guessing low.
public struct AnalysisLimits: Sendable, Equatable {
    /// Largest document accepted, in bytes.
    public var maxDocumentBytes: Int
    /// Time for deciding colour from page structure, over all pages; later pages are `unknown`.
    public var structureBudget: Duration
    /// Most pages rendered with Ghostscript; further undecided pages are `unknown`.
    public var maxRenderedPages: Int
    /// Wall-clock limit for one Ghostscript process (rendering or PostScript interpretation).
    public var ghostscriptTimeout: Duration
    /// Decoded size above which a content stream is not inspected (Flate bombs).
    public var maxStreamBytes: Int
    /// Operators per content stream above which the page is left to the renderer.
    public var maxOperatorsPerStream: Int
    /// Path of the Ghostscript executable; `nil` disables rendering (undecided pages become `unknown`).
    public var ghostscriptPath: String?
    /// Benchmark/reference mode: render every PDF page (no structural shortcut), up to
    /// ``maxRenderedPages``. Slow; for measuring the structural decision's agreement.
    public var renderAllPages = false

    public init(maxDocumentBytes: Int = 512 << 20, structureBudget: Duration = .seconds(20),
                maxRenderedPages: Int = 1000, ghostscriptTimeout: Duration = .seconds(60),
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
}
