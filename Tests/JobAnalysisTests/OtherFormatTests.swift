import Testing
@testable import JobAnalysis

/// PostScript, raster formats, PCL and plain text, generated with Ghostscript's devices or bytes.
@Suite("Other formats")
struct OtherFormatTests {
    static let fivePagesThirdRed = """
    %!PS-Adobe-3.0
    %%Creator: groff version 1.22.4
    %%Pages: 5
    %%DocumentMedia: A4 595 842 0 () ()
    %%EndComments
    /Helvetica findfont 24 scalefont setfont
    1 1 5 { /n exch def
      (%%Page: x x) pop
      n 3 eq { 1 0 0 setrgbcolor } { 0 0 0 setrgbcolor } ifelse
      72 700 moveto (Page ) show n 3 string cvs show
      showpage } for
    %%EOF
    """

    func render(_ docs: TestDocuments, device: String, name: String, extra: [String] = []) throws -> String {
        let ps = docs.write("src.ps", Self.fivePagesThirdRed)
        let out = docs.path(name)
        let status = docs.run("/usr/bin/gs", ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=\(device)", "-r50",
                                              "-sPAPERSIZE=a4", "-dFIXEDMEDIA"] + extra + ["-o", out, ps])
        try #require(status == 0)
        return out
    }

    /// What CUPS's pstops writes when the printer makes the copies: the copies in the DSC
    /// requirements and in setpagedevice. Ghostscript renders every copy; the job is 2 pages × 2.
    static let twoPagesTwoCopies = """
    %!PS-Adobe-3.0
    %%Pages: 2
    %%Requirements: numcopies(2)
    %%EndComments
    %%BeginSetup
    << /NumCopies 2 >> setpagedevice
    %%EndSetup
    %%Page: 1 1
    72 72 moveto 0 setgray (one) show showpage
    %%Page: 2 2
    72 72 moveto 0 setgray (two) show showpage
    %%EOF
    """

    @Test(arguments: [JobOptions.ColourMode.auto, .monochrome], [1, 2])
    func copiesInTheDocumentAreNotCountedTwice(colour: JobOptions.ColourMode, jobCopies: Int) throws {
        let docs = TestDocuments()
        let ps = docs.write("copies.ps", Self.twoPagesTwoCopies)
        let a = try analyse(ps, JobOptions(copies: jobCopies, colourMode: colour))
        #expect(a.pageCount == 2, "one copy of the document")
        #expect(a.output.copies == 2)
        #expect(a.output.totalImpressions == 4)
    }

    @Test func postScriptRenderedForCountSizeAndColour() throws {
        let docs = TestDocuments()
        let ps = docs.write("doc.ps", Self.fivePagesThirdRed)
        let a = try analyse(ps)
        #expect(a.format == .postscript)
        #expect(a.pageCount == 5)
        #expect(a.colourPageCount == 1 && a.page(3)?.colour == .colour)
        #expect(a.page(1)?.media.pwgName == "na_letter_8.5x11in" || a.page(1)?.media.pwgName == "iso_a4_210x297mm")
        #expect(a.application?.name == "groff")
        #expect(a.provenance.first { $0.figure == .pageCount }?.method == .ghostscriptInterpretation)
    }

    /// A program that announces one page and prints three: monochrome or not, the pages are
    /// interpreted, not taken from the DSC comments.
    @Test(arguments: [JobOptions.ColourMode.monochrome, .auto])
    func postScriptIsInterpretedWhateverItsDSCSays(colour: JobOptions.ColourMode) throws {
        let docs = TestDocuments()
        let ps = docs.write("doc.ps", """
        %!PS-Adobe-3.0
        %%Pages: 1
        %%DocumentMedia: Letter 612 792 0 () ()
        %%EndComments
        %%Page: 1 1
        << /PageSize [612 792] >> setpagedevice
        3 { 1 0 0 setrgbcolor 72 72 moveto 100 100 rlineto stroke showpage } repeat
        %%EOF
        """)
        let a = try analyse(ps, JobOptions(colourMode: colour))
        #expect(a.pageCount == 3 && a.failure == nil)
        #expect(a.colourPageCount == (colour == .monochrome ? 0 : 3))
        #expect(a.page(1)?.media.pwgName == "na_letter_8.5x11in")
        #expect(a.provenance.first { $0.figure == .pageCount }?.method == .ghostscriptInterpretation)
        #expect(a.warnings.contains { $0.contains("announce 1 pages but Ghostscript produced 3") })
    }

    /// A PostScript that does not finish in time is not counted, DSC or not: a timeout with no
    /// page bound (a program's pages need no bytes), which the caller holds.
    @Test func postScriptThatLoopsForeverTimesOutWithoutABound() throws {
        let docs = TestDocuments()
        let looping = docs.write("loop.ps", """
        %!PS-Adobe-3.0
        %%Pages: 2
        %%EndComments
        %%Page: 1 1
        showpage { } loop
        %%Page: 2 2
        showpage
        """)
        var limits = AnalysisLimits()
        limits.ghostscriptTimeout = .seconds(2)
        let a = try DocumentAnalyser(limits: limits).analyse(path: looping)
        #expect(a.pageCount == nil && a.pages.isEmpty && a.output.totalImpressions == 0)
        let failure = try #require(a.failure)
        #expect(failure.kind == .timedOut && failure.isUnanalysable)
        #expect(failure.detail.contains("stopped after 2 s, after 1 pages"))
        #expect(failure.detail.contains("DSC comments announce 2 pages"))

        let noDSC = docs.write("loop2.ps", "%!PS\n{ } loop\n")
        let b = try DocumentAnalyser(limits: limits).analyse(path: noDSC)
        #expect(b.pageCount == nil && b.failure?.kind == .timedOut && b.failure?.isUnanalysable == true)
    }

    /// A PostScript error stops the count: what printed before it is a floor, not a bound.
    @Test func postScriptWithAnErrorIsMalformed() throws {
        let docs = TestDocuments()
        let ps = docs.write("error.ps", "%!PS\nshowpage\nnosuchoperator\nshowpage\n")
        let a = try analyse(ps)
        #expect(a.pageCount == nil)
        #expect(a.failure?.kind == .malformed && a.failure?.isUnanalysable == true)
        #expect(a.failure?.detail.contains("after 1 pages") == true)
    }

    @Test func pwgRaster() throws {
        let docs = TestDocuments()
        let mono = try analyse(try render(docs, device: "pwgraster", name: "mono.pwg"))
        #expect(mono.format == .pwgRaster && mono.pageCount == 5 && mono.colourPageCount == 0)
        #expect(mono.page(1)?.media.pwgName == "iso_a4_210x297mm")
        let rgb = try analyse(try render(docs, device: "pwgraster", name: "rgb.pwg", extra: ["-dcupsColorSpace=19", "-dcupsBitsPerColor=8"]))
        #expect(rgb.pageCount == 5 && rgb.colourPageCount == 1 && rgb.page(3)?.colourMethod == .rasterPixels)
    }

    @Test func cupsRaster() throws {
        let docs = TestDocuments()
        let a = try analyse(try render(docs, device: "cups", name: "doc.ras"))
        #expect(a.format == .cupsRaster && a.pageCount == 5)
    }

    @Test func appleRaster() throws {
        let docs = TestDocuments()
        let a = try analyse(try render(docs, device: "urf", name: "doc.urf", extra: ["-dcupsColorSpace=1", "-dcupsBitsPerColor=8"]))
        #expect(a.format == .appleRaster && a.pageCount == 5 && a.colourPageCount == 1)
        #expect(a.page(2)?.media.pwgName == "iso_a4_210x297mm")
    }

    @Test func truncatedRasterKeepsCompletePages() throws {
        let docs = TestDocuments()
        let full = try render(docs, device: "pwgraster", name: "mono.pwg")
        let bytes = try readAll(full)
        let cut = docs.write("cut.pwg", Array(bytes.prefix(bytes.count * 2 / 3)))
        let a = try analyse(cut)
        #expect(a.format == .pwgRaster)
        #expect((a.pageCount ?? 0) >= 3)
        #expect(a.warnings.contains { $0.contains("truncated") })
    }

    @Test func pclFormFeedsAndPJL() throws {
        let docs = TestDocuments()
        let a = try analyse(try render(docs, device: "ljet4", name: "doc.pcl"))
        #expect(a.format == .pcl && a.pageCount == 5)
        #expect(a.page(1)?.media.pwgName == "iso_a4_210x297mm")
        #expect(a.provenance.first { $0.figure == .pageCount }?.method == .pclFormFeedsAndPJL)
        let pjl = docs.write("pjl.pcl", "\u{1B}%-12345X@PJL JOB NAME=\"x\"\r\n@PJL SET JOBATTR=\"@PAGECOUNT=7\"\r\n@PJL ENTER LANGUAGE=PCL\r\n\u{1B}Etext\u{0C}\u{1B}E\u{1B}%-12345X")
        let b = try analyse(pjl)
        #expect(b.format == .pcl && b.pageCount == 7)
    }

    /// A raw PCL job's own copy commands make the printer print it that many times: PCL's
    /// `ESC & l # X` and PJL's `SET COPIES` / `SET QTY`, counted at the largest asked.
    @Test func pclAndPJLCopiesAreCounted() throws {
        let docs = TestDocuments()
        let pcl = docs.write("copies.pcl", "\u{1B}E\u{1B}&l26A\u{1B}&l3Xpage one\u{0C}page two\u{0C}\u{1B}E")
        let a = try analyse(pcl)
        #expect(a.format == .pcl && a.pageCount == 2)
        #expect(a.output.copies == 3 && a.output.totalImpressions == 6, "\(a.output)")
        let pjl = docs.write("qty.pcl", "\u{1B}%-12345X@PJL SET QTY=4\r\n@PJL SET COPIES = 2\r\n@PJL ENTER LANGUAGE=PCL\r\n\u{1B}Etext\u{0C}\u{1B}E\u{1B}%-12345X")
        let b = try analyse(pjl)
        #expect(b.output.copies == 4, "the largest the document asks for: \(b.output)")
        let plain = docs.write("one.pcl", "\u{1B}E\u{1B}&l1Xtext\u{0C}\u{1B}E")
        #expect(try analyse(plain).output.copies == 1)
    }

    @Test func pclXLWithoutHintsIsNotCounted() throws {
        let docs = TestDocuments()
        let a = try analyse(try render(docs, device: "pxlmono", name: "doc.pxl"))
        #expect(a.format == .pcl && a.pageCount == nil && a.failure?.kind == .notCountable)
        #expect(a.failure?.isUnanalysable == true) // PCL's copy commands multiply pages
    }

    @Test func plainText() throws {
        let docs = TestDocuments()
        let lines = (1...100).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let a = try analyse(docs.write("a.txt", lines))
        #expect(a.format == .text && a.pageCount == 2)
        let ff = try analyse(docs.write("b.txt", "one\n\u{0C}two\n\u{0C}three"))
        #expect(ff.pageCount == 3)
    }

    func readAll(_ path: String) throws -> [UInt8] {
        let data = try DocumentData(path: path, maxBytes: 1 << 30)
        return Array(data.bytes)
    }
}

@Suite("Format detection")
struct FormatDetectionTests {
    func detect(_ s: String) -> DocumentFormat { FormatDetector.detect(Array(s.utf8)).0 }

    @Test func magic() {
        #expect(detect("%PDF-1.7\n") == .pdf)
        #expect(FormatDetector.detect(Array("\u{1B}%-12345X@PJL ENTER LANGUAGE=PDF\n%PDF-1.4\n".utf8) + [0x00]).0 == .pdf)
        // cupsd: regex(0,^[\n\r]*%PDF) fails, printable(0,1024) holds → text/plain.
        #expect(detect("junk before\n%PDF-1.4\n") == .text)
        #expect(FormatDetector.detect(Array("junk".utf8) + [0x01, 0x0A] + Array("%PDF-1.4\n".utf8)).0 == .pdf)
        #expect(detect("%!PS-Adobe-3.0\n% mentions %PDF-1.4\n") == .postscript)
        #expect(detect("UNIRAST\u{0}") == .appleRaster)
        #expect(detect("Hello\nworld\n") == .text)
        #expect(FormatDetector.detect([UInt8]()).0 == .unknown)
        #expect(FormatDetector.detect([0x00, 0xFF, 0x10, 0x80]).0 == .unknown)
    }
}
