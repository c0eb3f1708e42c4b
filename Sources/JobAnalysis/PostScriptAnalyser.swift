/// PostScript: DSC comments when present and consistent, and Ghostscript (under -dSAFER, with a
/// wall-clock limit) rendering every page at 72 dpi, which yields the real page count, each page's
/// size and its colour in one run.
///
/// Failure policy: if Ghostscript fails or times out (PostScript can loop forever), the DSC page
/// count is used when the document has one (`%%Pages:` agreeing with the `%%Page:` comments),
/// with colour `unknown`; without DSC the page count is not determined (`nil`, with the reason):
/// never zero by silence.
struct PostScriptAnalyser {
    let limits: AnalysisLimits

    /// What the DSC comments say.
    struct DSC {
        var pages: Int?
        var pageComments = 0
        var boundingBox: [Double]?
        var documentMedia: (name: String, width: Double, height: Double)?
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
            if let v = value(line, "%%BoundingBox:"), !v.hasPrefix("(") {
                let nums = v.split(separator: " ").compactMap { Double($0) }
                if nums.count == 4 { dsc.boundingBox = nums }
            }
            if let v = value(line, "%%DocumentMedia:"), dsc.documentMedia == nil {
                let parts = v.split(separator: " ")
                if parts.count >= 3, let w = Double(parts[1]), let h = Double(parts[2]) {
                    dsc.documentMedia = (String(parts[0]), w, h)
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

        let monochrome = options.colourMode == .monochrome
        // With print-color-mode=monochrome only the count matters: a trustworthy DSC count and
        // page size are enough, and Ghostscript (~130 ms and more) is not started.
        if monochrome, let trusted = dsc.trustedPageCount, let m = dsc.documentMedia {
            var builder = RunBuilder()
            builder.append(pages: 1, count: trusted, media: MediaSize(widthPoints: m.width, heightPoints: m.height),
                           colour: .monochrome, method: .colourModeOption)
            result.pageCount = trusted
            result.runs = builder.runs
            result.documentCopies = dsc.copies ?? 1
            result.provenance += [
                FigureProvenance(figure: .pageCount, method: .dscComments, milliseconds: dscTime.milliseconds,
                                 detail: "%%Pages agrees with the %%Page comments"),
                FigureProvenance(figure: .media, method: .dscComments, milliseconds: 0, detail: "%%DocumentMedia"),
                FigureProvenance(figure: .colour, method: .jobOptions, milliseconds: 0, detail: "print-color-mode=monochrome"),
            ]
            return result
        }

        start = clock.now
        var parser = PPMColourParser()
        var outcome = ChildProcess.Outcome.couldNotStart("Ghostscript disabled")
        if let gs = limits.ghostscriptPath {
            let input = data.childInput
            let child = ChildProcess(executable: gs,
                                     arguments: ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOPROMPT", "-sstdout=%stderr",
                                                 "-sDEVICE=ppmraw", "-r72", "-dTextAlphaBits=1", "-dGraphicsAlphaBits=1",
                                                 "-sOutputFile=-"] + input.operands,
                                     stdinDescriptor: input.stdin, timeout: limits.ghostscriptTimeout)
            outcome = child.run { chunk in parser.consume(chunk); return !parser.failed }
        }
        let gsTime = clock.now - start
        var rendered = parser.pageVerdicts.count
        var builder = RunBuilder()
        if outcome.succeeded {
            // Ghostscript obeys the document's NumCopies: with `numcopies(N)` announced and N
            // copies of the announced pages rendered, the first copy describes the document.
            if let copies = dsc.copies, let trusted = dsc.trustedPageCount, rendered == copies * trusted {
                rendered = trusted
                result.documentCopies = copies
            }
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
        } else {
            let why = "Ghostscript could not interpret the PostScript (\(outcome.description))"
            result.warnings.append(why)
            let media: MediaSize
            if let m = dsc.documentMedia {
                media = MediaSize(widthPoints: m.width, heightPoints: m.height)
            } else if let b = dsc.boundingBox, PWGMedia.name(widthPoints: b[2] - b[0], heightPoints: b[3] - b[1]).hasPrefix("custom_") == false {
                media = MediaSize(widthPoints: b[2] - b[0], heightPoints: b[3] - b[1])
            } else {
                media = MediaSize(widthPoints: 595.28, heightPoints: 841.89)
                result.warnings.append("page size unknown; A4 assumed")
            }
            if let trusted = dsc.trustedPageCount {
                result.pageCount = trusted
                builder.append(pages: 1, count: trusted, media: media, colour: monochrome ? .monochrome : .unknown,
                               method: monochrome ? .colourModeOption : .notDetermined)
                result.provenance += [
                    FigureProvenance(figure: .pageCount, method: .dscComments, milliseconds: (dscTime + gsTime).milliseconds,
                                     detail: why),
                    FigureProvenance(figure: .media, method: .dscComments, milliseconds: 0),
                    FigureProvenance(figure: .colour, method: .notDetermined, milliseconds: 0, detail: why),
                ]
            } else {
                result.formatReason = why + ", and it has no trustworthy DSC page count"
                result.provenance.append(FigureProvenance(figure: .pageCount, method: .notDetermined,
                                                          milliseconds: gsTime.milliseconds, detail: why))
            }
        }
        result.runs = builder.runs
        return result
    }
}
