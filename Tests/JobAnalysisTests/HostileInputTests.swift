import Testing
import CQPDF
@testable import JobAnalysis

/// Truncated, random, empty and adversarial documents: each yields an answer (often `unknown`
/// with a reason), never a crash, a hang or zero pages by silence.
@Suite("Hostile input")
struct HostileInputTests {
    @Test func emptyFile() throws {
        let docs = TestDocuments()
        let a = try analyse(docs.write("empty", [UInt8]()))
        #expect(a.format == .unknown)
        #expect(a.formatReason?.contains("empty") == true)
        #expect(a.pageCount == nil)
        #expect(!a.isCountKnown) // never a silent zero: a failure, whose bound is that nothing prints
        #expect(a.failure?.kind == .unrecognisedFormat)
        #expect(a.failure?.pageBound == PageBound(maxPages: 0, basis: .emptyDocument))
    }

    @Test func randomBytes() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) } 
        let docs = TestDocuments()
        let a = try analyse(docs.write("random", [0x00, 0x91] + bytes))
        #expect(a.format == .unknown)
        #expect(a.formatReason?.hasPrefix("unrecognised format") == true)
        #expect(a.failure?.kind == .unrecognisedFormat && a.failure?.isUnanalysable == true)
    }

    @Test func randomBytesAfterPDFHeader() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let docs = TestDocuments()
        let a = try analyse(docs.write("random.pdf", Array("%PDF-1.7\n".utf8) + bytes))
        #expect(a.format == .pdf)
        #expect(a.pageCount == nil || a.pageCount == 0)
        if a.pageCount == nil { #expect(a.failure?.kind == .malformed && a.failure?.isUnanalysable == true) }
    }

    @Test func truncatedPDF() throws {
        let docs = TestDocuments()
        let src = try docs.pdf("src.pdf", postscript: "%!PS\n1 1 4 { 72 72 moveto 200 200 lineto stroke showpage } for\n")
        let data = try DocumentData(path: src, maxBytes: 1 << 30)
        let bytes = Array(data.bytes)
        for fraction in [0.3, 0.6, 0.9] {
            let cut = docs.write("cut.pdf", Array(bytes.prefix(Int(Double(bytes.count) * fraction))))
            let a = try analyse(cut)
            #expect(a.format == .pdf)
            #expect(a.pageCount != nil || a.failure?.kind == .malformed)
        }
    }

    @Test func missingFileIsAnError() {
        #expect(throws: AnalysisError.self) { try analyse("/nonexistent/document.pdf") }
    }

    /// A page whose content inflates to 256 MiB of spaces: inspection stops at the cap.
    @Test func flateBomb() throws {
        let compressed = Self.deflatedSpaces(megabytes: 256)
        #expect(compressed.count < 2 << 20)
        var pdf = TestDocuments.rawPDF([
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            "<< /Length \(compressed.count) /Filter /FlateDecode >>\nstream\n__DATA__\nendstream",
        ])
        // Splice the binary stream data in place of the marker.
        let marker = Array("__DATA__".utf8)
        let at = try #require(pdf.withUnsafeBytes { $0.firstIndex(of: marker) })
        pdf.replaceSubrange(at..<(at + marker.count), with: compressed)
        let docs = TestDocuments()
        let path = docs.write("bomb.pdf", pdf)
        var limits = AnalysisLimits()
        limits.maxStreamBytes = 8 << 20
        limits.ghostscriptTimeout = .seconds(20)
        let a = try DocumentAnalyser(limits: limits).analyse(path: path)
        #expect(a.pageCount == 1)
        // Structure gave up at the cap; the page went to the renderer (or is unknown).
        #expect(a.page(1)?.colourMethod != .pageStructure)
        #expect(a.provenance.first { $0.figure == .colour }?.detail?.contains("Flate bomb") == true)
    }

    static func deflatedSpaces(megabytes: Int) -> [UInt8] {
        var stream = z_stream()
        deflateInit_(&stream, 9, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&stream) }
        var input = [UInt8](repeating: 0x20, count: 1 << 20)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        for i in 0..<megabytes {
            let flush = i == megabytes - 1 ? Z_FINISH : Z_NO_FLUSH
            input.withUnsafeMutableBufferPointer { inp in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                repeat {
                    buffer.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = UInt32(out.count)
                        deflate(&stream, flush)
                        output += out[0..<(out.count - Int(stream.avail_out))]
                    }
                } while stream.avail_out == 0
            }
        }
        return output
    }

    /// 100 000 pages in a balanced page tree, all sharing one content stream.
    @Test func hundredThousandPages() throws {
        let pages = 100_000, fanout = 100
        var objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
        // Object 3: shared content. Intermediate nodes 4…(4+1000-1), then pages.
        objects.append(TestDocuments.stream("0 0 0 rg 72 72 200 200 re f"))
        let nodes = pages / fanout
        let firstNode = 4, firstPage = firstNode + nodes
        objects[1] = "<< /Type /Pages /Kids [\((0..<nodes).map { "\(firstNode + $0) 0 R" }.joined(separator: " "))] /Count \(pages) /MediaBox [0 0 595 842] >>"
        for n in 0..<nodes {
            let kids = (0..<fanout).map { "\(firstPage + n * fanout + $0) 0 R" }.joined(separator: " ")
            objects.append("<< /Type /Pages /Parent 2 0 R /Kids [\(kids)] /Count \(fanout) >>")
        }
        for p in 0..<pages {
            objects.append("<< /Type /Page /Parent \(firstNode + p / fanout) 0 R /Contents 3 0 R >>")
        }
        let docs = TestDocuments()
        let path = docs.write("big.pdf", TestDocuments.rawPDF(objects))
        let clock = ContinuousClock()
        let start = clock.now
        let a = try analyse(path)
        let elapsed = clock.now - start
        #expect(a.pageCount == pages)
        #expect(a.pages.count == 1) // one run: all A4 monochrome
        #expect(a.output.impressionsPerCopy == pages)
        #expect(elapsed < .seconds(30))
    }

    @Test func pageTreeCycleDoesNotHang() throws {
        let bytes = TestDocuments.rawPDF([
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 /MediaBox [0 0 595 842] >>",
            "<< /Type /Page /Parent 2 0 R >>",
        ])
        let docs = TestDocuments()
        let a = try analyse(docs.write("cycle.pdf", bytes))
        #expect(a.format == .pdf)
        #expect(a.pageCount == 1 || a.failure != nil)
    }
}
