import Testing
@testable import JobAnalysis

/// One test per mime.types rule Tollgate relies on (CUPS 2.4.2 and cups-filters 1.28 on
/// Debian 12): the format is what cupsd types the bytes as, so the count follows what the
/// filters print.
@Suite("cupsd's typing")
struct CupsTypingTests {
    func type(_ bytes: [UInt8]) -> String? { CupsMimeTyping.type(of: bytes) }
    func type(_ s: String) -> String? { type(Array(s.utf8)) }
    func format(_ bytes: [UInt8]) -> DocumentFormat { FormatDetector.detect(bytes).0 }
    func format(_ s: String) -> DocumentFormat { format(Array(s.utf8)) }
    let uel = "\u{1B}%-12345X"

    @Test func pdfOnlyAfterLineEnds() {
        #expect(type("%PDF-1.7\n") == "application/pdf")
        #expect(type("\r\n\n%PDF-1.4\n") == "application/pdf")
        #expect(type(" %PDF-1.4\n") == "text/plain")
        #expect(format(" %PDF-1.4\n") == .text)
    }

    @Test func postScriptAtStartOrAfterCtrlD() {
        #expect(type("%!PS-Adobe-3.0\n") == "application/postscript")
        #expect(type("\u{04}%!PS\n") == "application/postscript")
        // A blank line before %! is text to cupsd (texttopdf prints the program's source).
        #expect(type("\n%!PS\nshowpage\n") == "text/plain")
    }

    @Test func postScriptInPJLJob() {
        let windows = uel + "@PJL JOB NAME=\"doc\"\r\n@PJL SET RESOLUTION=600\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n%!PS-Adobe-3.0\n"
        #expect(type(windows) == "application/postscript")
        #expect(format(windows) == .postscript)
        for spelling in ["LANGUAGE = Postscript", "LANGUAGE = PostScript", "LANGUAGE = POSTSCRIPT"] {
            #expect(type(uel + "@PJL ENTER " + spelling + "\r\n%!\n") == "application/postscript")
        }
        // UEL, no ENTER LANGUAGE, and a line starting with %!.
        #expect(type(uel + "@PJL JOB\r\n%!PS\n") == "application/postscript")
        // The UEL must start within the first 128 bytes.
        let late = String(repeating: "x", count: 130) + uel + "@PJL ENTER LANGUAGE=POSTSCRIPT\n%!\n"
        #expect(type(late) == "text/plain")
    }

    @Test func pclAndRaw() {
        #expect(type([0x1B, 0x45, 0x1B, 0x26, 0x6C, 0x31, 0x4F]) == "application/vnd.cups-raw")
        #expect(format([0x1B, 0x45, 0x0C]) == .pcl)
        #expect(type(uel + "@PJL ENTER LANGUAGE=PCL\r\n\u{1B}E") == "application/vnd.cups-raw")
        #expect(type(uel + "@PJL ENTER LANGUAGE = PCL\r\n\u{1B}E") == "application/vnd.cups-raw")
        #expect(type([0x1B, 0x40, 0x41]) == "application/vnd.cups-raw")  // ESC/P
        // ESC E then HP-GL/2 (ESC%0B) is not raw.
        #expect(type([0x1B, 0x45, 0x1B, 0x25, 0x30, 0x42, 0x49, 0x4E, 0x3B]) != "application/vnd.cups-raw")
    }

    @Test func rasters() {
        var pwg = Array("RaS2PwgRaster".utf8) + [0]
        pwg += [UInt8](repeating: 0, count: 100)
        #expect(type(pwg) == "image/pwg-raster")
        #expect(format(pwg) == .pwgRaster)
        for sync in ["RaSt", "tSaR", "2SaR", "RaS3", "3SaR"] {
            #expect(type(Array(sync.utf8) + [0, 0, 1]) == "application/vnd.cups-raster")
        }
        #expect(type(Array("RaS2".utf8) + [0, 0, 1]) == "application/vnd.cups-raster")
        #expect(type(Array("UNIRAST".utf8) + [0, 0, 0, 1]) == "image/urf")
        #expect(format(Array("UNIRAST".utf8) + [0, 0, 0, 1]) == .appleRaster)
    }

    @Test func imagesAreNotCounted() {
        let images: [([UInt8], String)] = [
            (Array("GIF89a".utf8) + [1, 0], "image/gif"),
            ([0x89] + Array("PNG\r\n".utf8) + [0x1A, 0x0A, 0], "image/png"),
            ([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "image/jpeg"),
            ([0x49, 0x49, 0x2A, 0x00, 8, 0], "image/tiff"),
            (Array("P1\n2 2\n1 0\n0 1\n".utf8), "image/x-portable-bitmap"),
            (Array("P6\n1 1\n255\n".utf8) + [0, 0, 0], "image/x-portable-pixmap"),
            (Array("BM".utf8) + [0x36, 0, 0, 0, 0, 0], "image/x-bitmap"),
        ]
        for (bytes, name) in images {
            #expect(type(bytes) == name)
            #expect(format(bytes) == .unknown)
        }
    }

    @Test func printableIsText() {
        #expect(type("Hello\tworld\r\n\u{0C}page two\n") == "text/plain")
        #expect(type("#!/bin/sh\necho hi\n") == "application/x-shell")
        #expect(type("#include <stdio.h>\n") == "application/x-csource")
        #expect(type("<!DOCTYPE html><p>x</p>") == "text/html")
        #expect(format("#!/bin/sh\necho hi\n") == .text)
        #expect(format("<HTML>x</HTML>") == .text)
        // Latin-1 and UTF-8 bytes, ESC and SUB are printable; NUL and other controls are not.
        #expect(type([0x41, 0xE9, 0xC3, 0xA9, 0x1B, 0x1A, 0x0A]) == "text/plain")
        #expect(type([0x41, 0x01, 0x0A]) == nil)
        #expect(format([0x41, 0x01, 0x0A]) == .unknown)
        // Only the first 1024 bytes are looked at: a binary tail still prints as text.
        let tail = Array(String(repeating: "a\n", count: 512).utf8) + [0, 1, 2, 3]
        #expect(type(tail) == "text/plain")
        #expect(format(tail) == .text)
    }

    @Test func texttopdfPaging() {
        func pages(_ s: String) -> Int { TextPagination.pages(Array(s.utf8)) }
        #expect(pages("") == 0)
        #expect(pages("one line") == 1)
        #expect(pages(String(repeating: "x\n", count: 60)) == 1)
        #expect(pages(String(repeating: "x\n", count: 61)) == 2)
        // 80 columns: a 161-character line takes 3 lines; 60 of them take 180 lines, 3 pages.
        #expect(pages(String(repeating: String(repeating: "y", count: 161) + "\n", count: 60)) == 3)
        #expect(pages("a\u{0C}b\u{0C}") == 2)
        #expect(pages("\u{0C}\u{0C}\u{0C}") == 3)
        // CR is a carriage return, not a line end; VT moves back a line.
        #expect(pages(String(repeating: "x\r", count: 500)) == 1)
        // Tabs to the next 8th column wrap at 80.
        #expect(pages(String(repeating: "\t", count: 10 * 60)) == 1)
        #expect(pages(String(repeating: "\t", count: 10 * 60 + 10)) == 2)
        // texttopdf's UTF-8 reader stops at a 4-byte sequence: what follows does not print.
        #expect(TextPagination.pages(Array(String(repeating: "x\n", count: 60).utf8) + [0xF0, 0x9F, 0x98, 0x80]
                                     + Array(String(repeating: "x\n", count: 60).utf8)) == 1)
    }

    /// A document cupsd prints as text but a printer given it raw reads as PostScript is counted
    /// both ways and charged the dearer.
    @Test func textThatIsAlsoPostScriptCountsTheDearer() throws {
        let docs = TestDocuments()
        let program = "\n%!PS\n/n 0 def { /n n 1 add def n 12 gt { exit } if showpage } loop\n"
        let a = try DocumentAnalyser().analyse(path: docs.write("two-readings.txt", program))
        #expect(a.pageCount == 12)
        #expect(a.format == .postscript)
    }
}
