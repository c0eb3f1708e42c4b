import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import JobAnalysis

/// Big documents are analysed as fast as Ghostscript reads them.
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
        #expect(a.pageCount == 5 && a.colourPageCount == 3)
    }
}
