#if canImport(Glibc)
import Glibc
#endif

/// PostScript: Ghostscript (under -dSAFER, with a time limit scaled by the document's size)
/// renders every page at 72 dpi, which yields the real page count, each page's size and its
/// colour in one run; DSC comments give the application and the document's own copies.
///
/// Failure policy: if Ghostscript fails, times out (PostScript can loop forever) or is disabled,
/// the page count is not determined (`nil`, with a ``FormatResult/failure``): never zero by
/// silence, and never the DSC count, which is the document's own claim.
struct PostScriptAnalyser {
    let limits: AnalysisLimits

    /// What the DSC comments say.
    struct DSC {
        var pages: Int?
        var pageComments = 0
        var creator: String?
        /// `%%Requirements: numcopies(N)`: the copies the document's own setpagedevice asks for.
        var copies: Int?

        /// `%%Pages:` agrees with the number of `%%Page:` comments (or only one of them is present
        /// and positive).
        var trustedPageCount: Int? {
            if let pages, pages > 0, pages == pageComments { return pages }
            if pages == nil && pageComments > 0 { return pageComments }
            return nil
        }
    }

    static func readDSC(_ data: UnsafeRawBufferPointer) -> DSC {
        var dsc = DSC()
        // Header: up to %%EndComments or 64 KiB; trailer: last 64 KiB for (atend) values.
        let headerEnd = min(data.count, 1 << 16)
        func lines(_ range: Range<Int>, _ body: (String) -> Void) {
            var i = range.lowerBound
            while i < range.upperBound {
                var j = i
                while j < range.upperBound && data[j] != 10 && data[j] != 13 { j += 1 }
                if j - i > 2 && data[i] == 0x25 && data[i + 1] == 0x25 {
                    body(String(decoding: UnsafeRawBufferPointer(rebasing: data[i..<min(j, i + 512)]), as: UTF8.self))
                }
                i = j + 1
            }
        }
        func value(_ line: String, _ key: String) -> String? {
            guard line.hasPrefix(key) else { return nil }
            return String(line.dropFirst(key.count)).trimmingSpaces
        }
        func apply(_ line: String) {
            if let v = value(line, "%%Pages:"), let n = Int(v.split(separator: " ").first ?? "") { dsc.pages = n }
            if let v = value(line, "%%Requirements:") {
                for word in v.split(separator: " ") where word.hasPrefix("numcopies(") && word.hasSuffix(")") {
                    if let n = Int(word.dropFirst(10).dropLast()), n > 1, n <= 9999 { dsc.copies = n }
                }
            }
            if let v = value(line, "%%Creator:"), dsc.creator == nil, !v.hasPrefix("(atend)") {
                var c = v
                if c.hasPrefix("(") && c.hasSuffix(")") { c = String(c.dropFirst().dropLast()) }
                dsc.creator = c
            }
        }
        lines(0..<headerEnd) { line in apply(line) }
        if data.count > headerEnd { lines(max(headerEnd, data.count - (1 << 16))..<data.count) { apply($0) } }
        // %%Page: comments through the whole file (memchr-driven).
        let needle = Array("%%Page:".utf8)
        var at = 0
        while let i = data.firstIndex(of: needle, from: at) {
            if i == 0 || data[i - 1] == 10 || data[i - 1] == 13 { dsc.pageComments += 1 }
            at = i + needle.count
        }
        return dsc
    }

    func analyse(_ data: DocumentData, options: JobOptions) -> FormatResult {
        let clock = ContinuousClock()
        var result = FormatResult()
        var start = clock.now
        let dsc = Self.readDSC(data.bytes)
        let dscTime = clock.now - start
        if let creator = dsc.creator { result.applicationCandidates.append((creator, .dscCreator)) }
        result.provenance.append(FigureProvenance(figure: .application, method: .dscComments, milliseconds: dscTime.milliseconds))

        // Every page is interpreted, also for print-color-mode=monochrome: the DSC comments are
        // the document's own claim, and a program that announces one page may print a thousand.
        guard let gs = limits.ghostscriptPath else {
            let detail = "Ghostscript, which counts PostScript pages, is disabled"
            result.failure = AnalysisFailure(kind: .notCountable, detail: detail)
            result.provenance.append(FigureProvenance(figure: .pageCount, method: .notDetermined, milliseconds: 0, detail: detail))
            return result
        }
        start = clock.now
        var parser = PPMColourParser()
        let timeout = limits.ghostscriptTimeout(documentBytes: data.count)
        let input = data.childInput(seekable: false)
        let monochrome = options.colourMode == .monochrome
        // For print-color-mode=monochrome only the pages and their sizes matter: grey images, a
        // third of the bytes, not inspected.
        let device = monochrome ? "pgmraw" : "ppmraw"
        let child = ChildProcess(executable: gs,
                                 arguments: ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOPROMPT", "-sstdout=%stderr",
                                             "-sDEVICE=\(device)", "-r72", "-dTextAlphaBits=1", "-dGraphicsAlphaBits=1",
                                             "-sOutputFile=-"] + input.operands,
                                 stdinDescriptor: input.stdin, timeout: timeout)
        let outcome = child.run { chunk in parser.consume(chunk); return !parser.failed }
        let gsTime = clock.now - start
        var rendered = parser.pageVerdicts.count
        guard outcome.succeeded else {
            // Failure policy: nothing stands in for the interpretation. What Ghostscript rendered
            // before it stopped is a floor, not a ceiling, and the DSC page count is a claim (an
            // honest document's, or one that loops): the pages are not counted, and the failure
            // says why. PostScript has no page bound.
            var detail = Self.failure(outcome, timeout: timeout)
            if rendered > 0 { detail.1 += ", after \(rendered) pages" }
            if let trusted = dsc.trustedPageCount {
                detail.1 += "; its DSC comments announce \(trusted) pages, which a PostScript program need not keep to"
            }
            result.failure = AnalysisFailure(kind: detail.0, detail: detail.1)
            result.provenance.append(FigureProvenance(figure: .pageCount, method: .notDetermined,
                                                      milliseconds: gsTime.milliseconds, detail: detail.1))
            return result
        }
        // Ghostscript obeys the document's NumCopies: with `numcopies(N)` announced and N copies
        // of the announced pages rendered, the first copy describes the document.
        if let copies = dsc.copies, let trusted = dsc.trustedPageCount, rendered == copies * trusted {
            rendered = trusted
            result.documentCopies = copies
        }
        var builder = RunBuilder()
        result.pageCount = rendered
        for (i, colour) in parser.pageVerdicts.prefix(rendered).enumerated() {
            let size = parser.pageSizes[i]
            builder.append(page: i + 1, media: MediaSize(widthPoints: Double(size.width), heightPoints: Double(size.height)),
                           colour: monochrome ? .monochrome : (colour ? .colour : .monochrome),
                           method: monochrome ? .colourModeOption : .ghostscriptRender)
        }
        if let trusted = dsc.trustedPageCount, trusted != rendered {
            result.warnings.append("DSC comments announce \(trusted) pages but Ghostscript produced \(rendered); counted \(rendered)")
        }
        result.provenance += [
            FigureProvenance(figure: .pageCount, method: .ghostscriptInterpretation, milliseconds: gsTime.milliseconds,
                             detail: dsc.trustedPageCount.map { "DSC announces \($0)" }),
            FigureProvenance(figure: .media, method: .ghostscriptInterpretation, milliseconds: 0),
            FigureProvenance(figure: .colour, method: monochrome ? .jobOptions : .ghostscriptRender, milliseconds: 0),
        ]
        result.runs = builder.runs
        return result
    }

    /// What a Ghostscript run that did not succeed means for the count.
    static func failure(_ outcome: ChildProcess.Outcome, timeout: Duration) -> (AnalysisFailure.Kind, String) {
        switch outcome {
        case .timedOut: (.timedOut, "Ghostscript was stopped after \(secondsText(timeout))")
        case .signalled(SIGXCPU): (.timedOut, "Ghostscript used up its CPU time")
        case .signalled(SIGXFSZ): (.tooLarge, "Ghostscript reached the file size limit")
        case .signalled(let signal): (.crashed, "Ghostscript was killed by signal \(signal)")
        case .exited(let status): (.malformed, "Ghostscript stopped with a PostScript error (exit status \(status))")
        case .stoppedByReader: (.crashed, "Ghostscript's output was not the page images asked for")
        case .couldNotStart(let why): (.notCountable, "Ghostscript could not start: \(why)")
        }
    }
}
