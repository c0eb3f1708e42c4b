import Testing
@testable import JobAnalysis

/// Page counts on real-world PDF structures, built with gs and qpdf or written byte by byte.
@Suite("PDF page count and file structure")
struct PDFPageCountTests {
    static let threePages = """
    %!PS
    /Helvetica findfont 20 scalefont setfont
    1 1 3 { 72 700 moveto (Page) show showpage } for
    """

    @Test func objectStreamsAndXrefStreams() throws {
        let docs = TestDocuments()
        let src = try docs.pdf("src.pdf", postscript: Self.threePages)
        let out = docs.path("objstm.pdf")
        #expect(try docs.qpdf(["--object-streams=generate", "--min-version=1.5", src, out]) == 0)
        let a = try analyse(out)
        #expect(a.pageCount == 3)
        #expect(a.provenance.first { $0.figure == .pageCount }?.method == .qpdfPageList)
    }

    @Test func linearized() throws {
        let docs = TestDocuments()
        let src = try docs.pdf("src.pdf", postscript: Self.threePages)
        let out = docs.path("lin.pdf")
        #expect(try docs.qpdf(["--linearize", src, out]) == 0)
        #expect(try analyse(out).pageCount == 3)
    }

    @Test func encryptedWithoutUserPassword() throws {
        let docs = TestDocuments()
        let src = try docs.pdf("src.pdf", postscript: Self.threePages)
        let out = docs.path("enc.pdf")
        #expect(try docs.qpdf(["--encrypt", "", "owner-secret", "256", "--", src, out]) == 0)
        let a = try analyse(out)
        #expect(a.pageCount == 3)
        #expect(a.warnings.contains { $0.contains("encrypted") })
    }

    @Test func encryptedWithUserPasswordIsReported() throws {
        let docs = TestDocuments()
        let src = try docs.pdf("src.pdf", postscript: Self.threePages)
        let out = docs.path("enc.pdf")
        #expect(try docs.qpdf(["--encrypt", "user-secret", "owner-secret", "256", "--", src, out]) == 0)
        let a = try analyse(out)
        #expect(a.format == .pdf)
        #expect(a.pageCount == nil)
        #expect(a.failure?.kind == .encrypted && a.failure?.detail.contains("password") == true)
        #expect(a.failure?.isUnanalysable == true) // a PDF's size bounds nothing
    }

    @Test func incrementalUpdateAddingAPage() throws {
        // Original: 1 page. Update appends a second page and a new /Pages object.
        var base = TestDocuments.onePage(content: "0 g 0 0 10 10 re f")
        let startxrefOfBase: Int = {
            let text = String(decoding: base, as: UTF8.self)
            let r = text.firstRange(of: "startxref\n")!
            let tail = text[r.upperBound...]
            return Int(tail.prefix { $0.isNumber })!
        }()
        var update = "5 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n"
        let off5 = base.count
        let off2 = off5 + update.utf8.count
        update += "2 0 obj\n<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>\nendobj\n"
        let xref = base.count + update.utf8.count
        func pad(_ n: Int) -> String { let s = String(n); return String(repeating: "0", count: 10 - s.count) + s }
        update += "xref\n0 1\n0000000000 65535 f \n2 1\n\(pad(off2)) 00000 n \n5 1\n\(pad(off5)) 00000 n \n"
        update += "trailer\n<< /Size 6 /Root 1 0 R /Prev \(startxrefOfBase) >>\nstartxref\n\(xref)\n%%EOF\n"
        base += Array(update.utf8)
        let docs = TestDocuments()
        #expect(try analyse(docs.write("inc.pdf", base)).pageCount == 2)
    }

    @Test func brokenXrefIsRepaired() throws {
        var bytes = TestDocuments.onePage(content: "0 g 0 0 10 10 re f")
        // Corrupt every xref offset and the startxref value.
        var text = String(decoding: bytes, as: UTF8.self)
        text = text.replacingAll("00000 n ", with: "99999 n ")
        text = text.replacingAll("startxref\n", with: "startxref\n9")
        bytes = Array(text.utf8)
        let docs = TestDocuments()
        let a = try analyse(docs.write("broken.pdf", bytes))
        #expect(a.pageCount == 1)
        #expect(!a.warnings.isEmpty)
    }

    @Test func lyingCountIsIgnored() throws {
        let bytes = TestDocuments.rawPDF([
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 250 /MediaBox [0 0 595 842] >>",
            "<< /Type /Page /Parent 2 0 R >>",
            "<< /Type /Page /Parent 2 0 R >>",
        ])
        let docs = TestDocuments()
        let a = try analyse(docs.write("lying.pdf", bytes))
        #expect(a.pageCount == 2)
        #expect(a.page(2)?.media.pwgName == "iso_a4_210x297mm") // inherited MediaBox
    }

    @Test func nestedPageTree() throws {
        // Depth-10 page tree with one leaf page at the bottom, plus one page at the top.
        var objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
        let depth = 10
        for level in 0..<depth {
            let me = 2 + level
            let parent = level == 0 ? "" : "/Parent \(me - 1) 0 R"
            let kid = level == depth - 1 ? "\(2 + depth) 0 R" : "\(me + 1) 0 R"
            objects.append("<< /Type /Pages \(parent) /Kids [\(kid)] /Count 1 /MediaBox [0 0 842 1191] >>")
        }
        objects.append("<< /Type /Page /Parent \(1 + depth) 0 R >>")
        let docs = TestDocuments()
        let a = try analyse(docs.write("nested.pdf", TestDocuments.rawPDF(objects)))
        #expect(a.pageCount == 1)
        #expect(a.page(1)?.media.pwgName == "iso_a3_297x420mm")
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        var result = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            result += rest[..<r.lowerBound] + replacement
            rest = rest[r.upperBound...]
        }
        return result + rest
    }
}
