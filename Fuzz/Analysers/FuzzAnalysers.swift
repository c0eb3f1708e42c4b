import FuzzDriver
import JobAnalysis
#if canImport(Glibc)
import Glibc
#endif

// The document analysers in-process, as tollgate-analyse runs them but without Ghostscript
// (a child process under its own limits, not code of ours): format detection as cupsd types,
// the printer's reading, texttopdf's paging, and every format's analyser (PDF structure and
// colour through libqpdf, PostScript DSC, CUPS/PWG/Apple raster, PCL/PJL, text) on a memfd.
let analyser = DocumentAnalyser(limits: AnalysisLimits(maxDocumentBytes: 1 << 20, structureBudget: .seconds(2),
                                                       maxRenderedPages: 0, ghostscriptPath: nil))
let options = [JobOptions(), JobOptions(copies: 2, numberUp: 2, sides: .twoSidedLongEdge, colourMode: .monochrome,
                                         pageRanges: [1...3])]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    _ = FormatDetector.detect(bytes)
    _ = FormatDetector.printerReading(bytes)
    _ = TextPagination.pages(bytes)
    var template = Array("/tmp/tollgate-fuzz-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    guard fd >= 0 else { fatalError("mkstemp: \(errno)") }
    defer { close(fd) }
    var written = 0
    while written < size {
        let n = write(fd, data! + written, size - written)
        guard n > 0 else { fatalError("write: \(errno)") }
        written += n
    }
    for option in options {
        _ = lseek(fd, 0, SEEK_SET)
        if let analysis = try? analyser.analyse(descriptor: fd, options: option) {
            // An analysis either counts pages or says why not.
            precondition(analysis.pageCount != nil || analysis.failure != nil, "no count and no failure")
        }
    }
    return 0
}

@_cdecl("FuzzAnalysers_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v, fuzzOne)
}
