import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import JobAnalysis

/// Big documents are analysed as fast as Ghostscript reads them, and a document that defeats the
/// analysis (too large, too slow, crashing it) says why and what still bounds its pages. Limits
/// are small and passed in: no test needs a huge file or a long wait.
@Suite("Analysis limits and failures")
struct AnalysisLimitsTests {
    /// About `megabytes` MB of PostScript in `pages` pages, each one big RGB image (hex data, as
    /// drivers write photos), odd pages in colour, even pages grey.
    static func imagePostScript(megabytes: Int, pages: Int) -> [UInt8] {
        let side = Int((Double(megabytes << 20) / Double(pages) / 6).squareRoot())
        var out = Array("%!PS-Adobe-3.0\n%%Pages: \(pages)\n%%EndComments\n".utf8)
        let row = { (pixel: String) in Array(String(repeating: pixel, count: side).utf8) + [0x0A] }
        let colourRow = row("c03020"), greyRow = row("808080")
        for page in 1...pages {
            out += Array("%%Page: \(page) \(page)\n<< /PageSize [595 842] >> setpagedevice\ngsave 50 200 translate 495 495 scale\n".utf8)
            out += Array("\(side) \(side) 8 [\(side) 0 0 -\(side) 0 \(side)] currentfile /ASCIIHexDecode filter false 3 colorimage\n".utf8)
            let r = page % 2 == 1 ? colourRow : greyRow
            out.reserveCapacity(out.count + r.count * side)
            for _ in 0..<side { out += r }
            out += Array(">\ngrestore showpage\n".utf8)
        }
        return out + Array("%%EOF\n".utf8)
    }

    /// A 20 MB PostScript, read through a descriptor as `tollgate-analyse` reads it: Ghostscript
    /// gets it as a file (or in blocks), so 6 s is plenty. Fed one byte per read(), as it was,
    /// it took 8.7 s and failed here.
    @Test func twentyMegabytePostScriptIsCountedWellWithinTheLimit() throws {
        let docs = TestDocuments()
        let bytes = Self.imagePostScript(megabytes: 20, pages: 5)
        #expect(bytes.count > 20_000_000)
        let path = docs.write("big.ps", bytes)
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var limits = AnalysisLimits()
        limits.ghostscriptTimeout = .seconds(6)
        let a = try DocumentAnalyser(limits: limits).analyse(descriptor: fd)
        #expect(a.failure == nil)
        #expect(a.pageCount == 5)
        #expect(a.colourPageCount == 3 && a.page(1)?.colour == .colour && a.page(2)?.colour == .monochrome)
        #expect(a.page(5)?.media.pwgName == "iso_a4_210x297mm")
    }

    /// The same through the tool and its client, from a root-only file when run as root: the
    /// unprivileged tool cannot reopen it, and Ghostscript reads it from stdin in blocks.
    @Test func twentyMegabytePostScriptThroughTheTool() throws {
        let tool = try #require(AnalyseToolTests.tool)
        let docs = TestDocuments()
        let path = docs.write("big.ps", Self.imagePostScript(megabytes: 20, pages: 5))
        chmod(path, 0o600)
        let a = try AnalyserProcess(executable: tool, timeout: .seconds(20)).analyse(path: path, options: JobOptions())
        #expect(a.failure == nil)
        #expect(a.pageCount == 5 && a.colourPageCount == 3)
    }

    /// A root-only PDF whose page must be rendered, through the tool run as root: Ghostscript
    /// renders it from the tool's own unlinked copy, not from a copy of its own in /tmp (which a
    /// Ghostscript killed at its time limit would leave behind).
    @Test func rootOnlyPDFIsRenderedFromTheAnalysersOwnCopy() throws {
        let tool = try #require(AnalyseToolTests.tool)
        let docs = TestDocuments()
        let path = docs.write("t.pdf", TestDocuments.onePage(
            content: "q 200 0 0 200 50 50 cm /Im0 Do Q", resources: "<< /XObject << /Im0 5 0 R >> >>",
            extraObjects: [PDFColourStructureTests.image("/DeviceRGB", hex: "FF0000 00FF00 0000FF FFFFFF")]))
        chmod(path, 0o600)
        let before = Self.ghostscriptTemporaryFiles()
        let a = try AnalyserProcess(executable: tool, timeout: .seconds(30)).analyse(path: path, options: JobOptions())
        #expect(a.page(1)?.colour == .colour && a.page(1)?.colourMethod == .ghostscriptRender)
        #expect(Self.ghostscriptTemporaryFiles().subtracting(before).isEmpty)
    }

    /// Ghostscript's temporary files (`gs_XXXXXX`) in /tmp.
    static func ghostscriptTemporaryFiles() -> Set<String> {
        guard let dir = opendir("/tmp") else { return [] }
        defer { closedir(dir) }
        var names: Set<String> = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix("gs_") { names.insert(name) }
        }
        return names
    }

    func limited(maxBytes: Int) -> DocumentAnalyser {
        var limits = AnalysisLimits()
        limits.maxDocumentBytes = maxBytes
        return DocumentAnalyser(limits: limits)
    }

    @Test func tooLargePostScriptHasNoBound() throws {
        let docs = TestDocuments()
        let path = docs.write("big.ps", "%!PS\n" + String(repeating: "% padding\n", count: 500) + "showpage\n")
        let a = try limited(maxBytes: 1000).analyse(path: path)
        #expect(a.format == .postscript && a.pageCount == nil && a.output.totalImpressions == 0)
        let failure = try #require(a.failure)
        #expect(failure.kind == .tooLarge && failure.isUnanalysable)
        #expect(failure.detail == "it is 5014 bytes; Tollgate analyses at most 1000 bytes")
        #expect(failure.description.hasPrefix("the document is larger than Tollgate analyses"))
    }

    @Test func tooLargeTextAndRasterAreBoundedByTheirSize() throws {
        let docs = TestDocuments()
        let text = try limited(maxBytes: 100).analyse(path: docs.write("a.txt", String(repeating: "line\n", count: 200)))
        #expect(text.format == .text && text.failure?.kind == .tooLarge)
        #expect(text.failure?.pageBound == PageBound(maxPages: 1000, basis: .textBytes))

        let pwg = try OtherFormatTests().render(docs, device: "pwgraster", name: "doc.pwg")
        let raster = try limited(maxBytes: 100).analyse(path: pwg)
        #expect(raster.format == .pwgRaster && raster.failure?.kind == .tooLarge)
        let bound = try #require(raster.failure?.pageBound)
        #expect(bound.basis == .rasterPageHeaders && bound.maxPages >= 5)
    }

    /// A pipe is read no further than the limit: its size, and so any bound, is unknown.
    @Test func tooLargePipeHasNoBound() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let text = Array(String(repeating: "line\n", count: 2000).utf8)
        let written = text.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        #expect(written == text.count)
        defer { close(fds[0]) }
        let a = try limited(maxBytes: 1000).analyse(descriptor: fds[0])
        #expect(a.format == .text && a.failure?.kind == .tooLarge && a.failure?.isUnanalysable == true)
        #expect(a.failure?.detail == "it is more than 1000 bytes; Tollgate analyses at most 1000 bytes")
    }

    /// The bound is never below what the analysis counts, for every format that has one.
    @Test(arguments: [("pwgraster", "doc.pwg"), ("cups", "doc.ras"), ("urf", "doc.urf")])
    func rasterBoundsAreNeverBelowTheCount(device: String, name: String) throws {
        let docs = TestDocuments()
        let path = try OtherFormatTests().render(docs, device: device, name: name)
        let a = try analyse(path)
        let count = try #require(a.pageCount)
        var st = stat()
        stat(path, &st)
        let bound = try #require(PageBound.forDocument(format: a.format, byteCount: Int(st.st_size)))
        #expect(count == 5 && bound.maxPages >= count)
    }

    /// Priced through the bound's worst-case pages, a raster job never costs less than counted:
    /// with any page ranges, number-up, sides and copies, and either layout.
    @Test(arguments: [JobOptions(), JobOptions(copies: 3, numberUp: 2, sides: .twoSidedLongEdge),
                      JobOptions(numberUp: 4, pageRanges: [2...3]), JobOptions(colourMode: .monochrome, pageRanges: [5...5])])
    func worstCaseOutputIsNeverBelowTheCountedOutput(options: JobOptions) throws {
        let docs = TestDocuments()
        let path = try OtherFormatTests().render(docs, device: "pwgraster", name: "doc.pwg")
        let counted = try analyse(path, options)
        var st = stat()
        stat(path, &st)
        let bound = try #require(PageBound.forDocument(format: .pwgRaster, byteCount: Int(st.st_size)))
        let worst = bound.worstCasePages(media: MediaSize(widthPoints: 2384, heightPoints: 3370))
        for (real, upper) in [(counted.output, OutputCalculator.output(for: worst, options: options)),
                              (OutputCalculator.outputLaidOutByCupsFilters(for: counted.pages, options: options),
                               OutputCalculator.outputLaidOutByCupsFilters(for: worst, options: options))] {
            #expect(upper.totalImpressions >= real.totalImpressions && upper.totalSheets >= real.totalSheets)
            #expect(upper.impressionTally.allSatisfy { $0.colour == (options.colourMode == .monochrome ? .monochrome : .unknown) })
        }
        #expect(PageBound(maxPages: 0, basis: .emptyDocument).worstCasePages(media: MediaSize(widthPoints: 1, heightPoints: 1)).isEmpty)
    }

    @Test func boundsByFormat() {
        #expect(PageBound.forDocument(format: .pdf, byteCount: 0) == PageBound(maxPages: 0, basis: .emptyDocument))
        for format in [DocumentFormat.pdf, .postscript, .pcl, .unknown] {
            #expect(PageBound.forDocument(format: format, byteCount: 1 << 30) == nil)
        }
        #expect(PageBound.forDocument(format: .pwgRaster, byteCount: 4 + 2 * 1796)?.maxPages == 2)
        #expect(PageBound.forDocument(format: .cupsRaster, byteCount: 4 + 2 * 1796 - 1)?.maxPages == 1)
        #expect(PageBound.forDocument(format: .appleRaster, byteCount: 12 + 3 * 32)?.maxPages == 3)
        #expect(PageBound.forDocument(format: .text, byteCount: 7)?.maxPages == 7)
        #expect(PageBound.forDocument(format: .appleRaster, byteCount: 5)?.maxPages == 0)
    }

    /// A stand-in for `tollgate-analyse`: a shell script doing `body`.
    func fakeAnalyser(_ docs: TestDocuments, _ body: String) -> String {
        let path = docs.write("fake-analyse", "#!/bin/sh\n\(body)\n")
        chmod(path, 0o755)
        return path
    }

    /// What the analyser's end does to the client: the document's failures are results, with the
    /// format and bound the client reads itself; only an analyser that cannot run throws.
    @Test func analyserEndsAreFailureKinds() throws {
        let docs = TestDocuments()
        let pwg = try OtherFormatTests().render(docs, device: "pwgraster", name: "doc.pwg")
        let ps = docs.write("doc.ps", "%!PS\nshowpage\n")
        func run(_ body: String, _ document: String, timeout: Duration = .seconds(10)) throws -> JobAnalysis {
            try AnalyserProcess(executable: fakeAnalyser(docs, body), timeout: timeout).analyse(path: document, options: JobOptions())
        }
        let crashed = try run("exit 1", pwg)
        #expect(crashed.format == .pwgRaster && crashed.pageCount == nil && crashed.failure?.kind == .crashed)
        #expect((crashed.failure?.pageBound?.maxPages ?? 0) >= 5)
        #expect(try run("kill -SEGV $$", ps).failure == AnalysisFailure(kind: .crashed, detail: "tollgate-analyse killed by signal 11"))
        #expect(try run("kill -XCPU $$", ps).failure?.kind == .timedOut)
        #expect(try run("kill -XFSZ $$", ps).failure?.kind == .tooLarge)
        #expect(try run("echo '{\"format\":\"pdf\"}'", ps).failure?.kind == .crashed)
        let slow = try run("exec sleep 30", ps, timeout: .milliseconds(300))
        #expect(slow.failure == AnalysisFailure(kind: .timedOut, detail: "tollgate-analyse was stopped after 0.3 s"))
        #expect(slow.format == .postscript && slow.failure?.isUnanalysable == true)
        for status in [2, 3, 4] {
            #expect(throws: AnalysisError.self) { try run("exit \(status)", ps) }
        }
    }

    @Test func timeLimitsGrowWithSize() {
        #expect(AnalysisLimits.ghostscriptTime(documentBytes: 0) == .seconds(60))
        #expect(AnalysisLimits.ghostscriptTime(documentBytes: 20 << 20) == .seconds(70))
        #expect(AnalysisLimits.ghostscriptTime(documentBytes: 500 << 20) == .seconds(310))
        #expect(AnalysisLimits.ghostscriptTime(documentBytes: 2 << 30) == .seconds(900))
        var limits = AnalysisLimits()
        #expect(limits.analysisTime(documentBytes: 0) == .seconds(140))
        limits.ghostscriptTimeout = .seconds(5)
        #expect(limits.ghostscriptTimeout(documentBytes: 1 << 30) == .seconds(5))
    }
}
