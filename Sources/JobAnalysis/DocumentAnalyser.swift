/// Analyses print documents: format, pages, per-page media and colour, originating application,
/// and what the printer produces under the job options.
///
/// ```swift
/// let analysis = try DocumentAnalyser().analyse(path: "/var/spool/job.pdf",
///                                               options: JobOptions(copies: 2, sides: .twoSidedLongEdge))
/// ```
///
/// The analyser parses hostile bytes: run it in a separate, rlimited, unprivileged process
/// (`tollgate-analyse`, see ``AnalyserProcess``) rather than in a privileged one.
public struct DocumentAnalyser: Sendable {
    public var limits: AnalysisLimits

    public init(limits: AnalysisLimits = AnalysisLimits()) {
        self.limits = limits
    }

    /// Analyses the document at `path`.
    public func analyse(path: String, options: JobOptions = JobOptions()) throws(AnalysisError) -> JobAnalysis {
        if let problem = options.validationError() { throw .invalidOptions(problem) }
        let data = try DocumentData(path: path, maxBytes: limits.maxDocumentBytes)
        return analyse(data, options: options)
    }

    /// Analyses the document readable on `descriptor` (a regular file or a pipe; not closed).
    /// Child processes (Ghostscript) get the document on their stdin, so this works after the
    /// process has dropped the privileges needed to open the file by name.
    public func analyse(descriptor: Int32, options: JobOptions = JobOptions()) throws(AnalysisError) -> JobAnalysis {
        if let problem = options.validationError() { throw .invalidOptions(problem) }
        let data = try DocumentData(descriptor: descriptor, maxBytes: limits.maxDocumentBytes)
        return analyse(data, options: options)
    }

    /// The format's own analyser.
    private func analyse(_ data: DocumentData, as format: DocumentFormat, options: JobOptions, reason: String?) -> FormatResult {
        switch format {
        case .pdf: return PDFAnalyser(limits: limits).analyse(data, options: options)
        case .postscript: return PostScriptAnalyser(limits: limits).analyse(data, options: options)
        case .pwgRaster, .cupsRaster: return CUPSRasterAnalyser().analyse(data.bytes, options: options)
        case .appleRaster: return AppleRasterAnalyser().analyse(data.bytes, options: options)
        case .pcl: return PCLAnalyser().analyse(data.bytes, options: options)
        case .text: return TextAnalyser().analyse(data.bytes, options: options)
        case .unknown:
            var result = FormatResult()
            result.failure = AnalysisFailure(kind: .unrecognisedFormat, detail: reason ?? "unrecognised format")
            result.provenance.append(FigureProvenance(figure: .pageCount, method: .notDetermined, milliseconds: 0,
                                                      detail: reason))
            return result
        }
    }

    /// Whether `a` prints more than `b`: uncounted, more pages, or as many with colour.
    static func isDearer(_ a: FormatResult, than b: FormatResult) -> Bool {
        guard let pa = a.pageCount else { return true }
        guard let pb = b.pageCount else { return false }
        if pa != pb { return pa > pb }
        return a.runs.contains { $0.colour != .monochrome } && !b.runs.contains { $0.colour != .monochrome }
    }

    func analyse(_ data: DocumentData, options: JobOptions) -> JobAnalysis {
        let clock = ContinuousClock()
        let start = clock.now
        let (detected, detectReason) = FormatDetector.detect(data.bytes)
        var format = detected
        let detectTime = clock.now - start
        // Failure policy: a document over the size limit is not interpreted; its format (from its
        // first bytes) and size still bound its pages where the format allows it.
        guard data.count <= limits.maxDocumentBytes else {
            let size = data.isWhole ? mebibytes(data.count) : "more than \(mebibytes(limits.maxDocumentBytes))"
            let failure = AnalysisFailure(kind: .tooLarge, detail: "it is \(size); Tollgate analyses at most \(mebibytes(limits.maxDocumentBytes))",
                                          pageBound: data.isWhole ? PageBound.forDocument(format: format, byteCount: data.count) : nil)
            return JobAnalysis(failure: failure, format: format, formatReason: format == .unknown ? detectReason : nil, options: options)
        }
        var result = analyse(data, as: format, options: options, reason: detectReason)
        if format == .text {
            // cupsd prints it through texttopdf; a printer given the same bytes on a raw queue
            // may read a page description in them (PostScript after a blank line, a PDF after a
            // banner). Failure policy: both readings are counted and the dearer one stands; one
            // that cannot be counted makes the document uncounted (held, or the fallback price).
            let (other, otherReason) = FormatDetector.printerReading(data.bytes)
            if other != .text, other != .unknown {
                var second = analyse(data, as: other, options: options, reason: otherReason)
                if Self.isDearer(second, than: result) {
                    second.warnings.append("cupsd prints it as text (\(result.pageCount ?? 0) pages); "
                                           + "a printer given it raw reads \(other.rawValue), which counts more")
                    format = other
                    result = second
                }
            }
        }
        // Every uncounted document says why, with what bounds its pages (the analysers know why;
        // the bound depends only on the format and the size).
        if result.pageCount == nil {
            var failure = result.failure ?? AnalysisFailure(kind: .crashed, detail: "the \(format.rawValue) analyser gave no count and no reason")
            failure.pageBound = PageBound.forDocument(format: format, byteCount: data.count)
            result.failure = failure
        } else {
            result.failure = nil
        }
        var provenance = [FigureProvenance(figure: .format, method: .magicBytes, milliseconds: detectTime.milliseconds,
                                           detail: detectReason)]
        provenance += result.provenance

        // Application: the caller's attribute, then document metadata, then the job name.
        let application = ApplicationNames.choose(attribute: options.applicationName,
                                                  candidates: result.applicationCandidates,
                                                  jobName: options.jobName)
        if let application, application.source == .jobAttribute || application.source == .jobName {
            provenance.removeAll { $0.figure == .application }
            provenance.append(FigureProvenance(figure: .application,
                                               method: application.source == .jobAttribute ? .jobOptions : .jobName,
                                               milliseconds: 0))
        }
        let reason = format == .unknown ? detectReason : nil
        if let detectReason, format != .unknown { result.warnings.append(detectReason) }
        // A document that asks for copies itself (CUPS's pstops writes the job's copies into the
        // PostScript when the printer makes copies) and the job's copies are one request, not
        // two: the printer makes the larger number.
        var printed = options
        if result.documentCopies > 1 {
            printed.copies = max(options.copies, result.documentCopies)
            result.warnings.append("the document asks for \(result.documentCopies) copies; \(printed.copies) counted")
        }
        return JobAnalysis(format: format, formatReason: reason, pageCount: result.pageCount, pages: result.runs,
                           application: application,
                           output: OutputCalculator.output(for: result.runs, options: printed),
                           provenance: provenance, warnings: result.warnings, failure: result.failure)
    }
}
