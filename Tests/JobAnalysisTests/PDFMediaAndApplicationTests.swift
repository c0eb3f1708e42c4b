import Testing
@testable import JobAnalysis

@Suite("PDF media sizes and originating application")
struct PDFMediaAndApplicationTests {
    func media(_ box: String, extra: String = "") throws -> MediaSize {
        let docs = TestDocuments()
        let p = docs.write("m.pdf", TestDocuments.onePage(content: "", mediaBox: box, pageExtra: extra))
        return try #require(try analyse(p).page(1)?.media)
    }

    @Test func commonSizes() throws {
        #expect(try media("[0 0 595 842]").pwgName == "iso_a4_210x297mm")
        #expect(try media("[0 0 595.276 841.89]").pwgName == "iso_a4_210x297mm")
        #expect(try media("[0 0 612 792]").pwgName == "na_letter_8.5x11in")
        #expect(try media("[0 0 842 1191]").pwgName == "iso_a3_297x420mm")
        #expect(try media("[0 0 612 1008]").pwgName == "na_legal_8.5x14in")
        #expect(try media("[0 0 420 595]").pwgName == "iso_a5_148x210mm")
    }

    @Test func landscapeA4MapsToA4() throws {
        let wide = try media("[0 0 842 595]")
        #expect(wide.pwgName == "iso_a4_210x297mm")
        #expect(wide.isLandscape)
        let rotated = try media("[0 0 595 842]", extra: "/Rotate 90")
        #expect(rotated.pwgName == "iso_a4_210x297mm")
        #expect(rotated.widthPoints == 842 && rotated.heightPoints == 595)
    }

    @Test func cropBoxAndOffsets() throws {
        // A4 content on a larger sheet cropped to A4; a box not starting at 0.
        #expect(try media("[0 0 700 900]", extra: "/CropBox [10 10 605 852]").pwgName == "iso_a4_210x297mm")
        #expect(try media("[-100 -100 512 692]").pwgName == "na_letter_8.5x11in")
        // A real-world box a couple of mm off.
        #expect(try media("[0 0 600 845]").pwgName == "iso_a4_210x297mm")
    }

    @Test func customSize() throws {
        let m = try media("[0 0 340.16 425.2]") // 120 × 150 mm
        #expect(m.pwgName == "custom_120x150mm")
    }

    @Test func nameTable() {
        #expect(PWGMedia.name(widthPoints: 297.64, heightPoints: 419.53) == "iso_a6_105x148mm")
        #expect(PWGMedia.name(widthPoints: 792, heightPoints: 612) == "na_letter_8.5x11in")
        #expect(PWGMedia.name(widthPoints: 1224, heightPoints: 792) == "na_ledger_11x17in")
    }

    @Test func applicationFromInfo() throws {
        let docs = TestDocuments()
        let p = docs.write("app.pdf", TestDocuments.onePage(content: "", info: "<< /Creator (Writer) /Producer (LibreOffice 7.4) >>"))
        let a = try analyse(p)
        #expect(a.application == OriginatingApplication(name: "LibreOffice", raw: "LibreOffice 7.4", source: .pdfProducer))
        let q = docs.write("app2.pdf", TestDocuments.onePage(content: "", info: "<< /Creator (Microsoft\\256 Word for Microsoft 365) /Producer (Microsoft\\256 Word for Microsoft 365) >>"))
        #expect(try analyse(q).application?.name == "Microsoft Word")
    }

    @Test func applicationNormalisation() {
        #expect(ApplicationNames.normalise("pdfTeX-1.40.24") == "pdfTeX")
        #expect(ApplicationNames.normalise("Skia/PDF m118") == "Chrome")
        #expect(ApplicationNames.normalise("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36") == "Chrome")
        #expect(ApplicationNames.normalise("GPL Ghostscript 10.00.0") == "Ghostscript")
        #expect(ApplicationNames.normalise("Acme Report Generator 4.2") == "Acme Report")
    }

    @Test func applicationPrecedence() throws {
        let docs = TestDocuments()
        let p = docs.write("app.pdf", TestDocuments.onePage(content: "", info: "<< /Producer (LibreOffice 7.4) >>"))
        let a = try analyse(p, JobOptions(applicationName: "Firefox 120"))
        #expect(a.application?.name == "Firefox")
        #expect(a.application?.source == .jobAttribute)
        let bare = docs.write("bare.pdf", TestDocuments.onePage(content: ""))
        let b = try analyse(bare, JobOptions(jobName: "Microsoft Word - report.docx"))
        #expect(b.application?.name == "Microsoft Word")
        #expect(b.application?.source == .jobName)
    }
}
