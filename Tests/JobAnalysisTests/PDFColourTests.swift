import Testing
@testable import JobAnalysis

@Suite("PDF colour from structure and rendering")
struct PDFColourTests {
    @Test func blackTextInRGBIsMonochrome() throws {
        let docs = TestDocuments()
        let pdf = try docs.pdf("rgb-black.pdf", postscript: """
        %!PS
        /Helvetica findfont 24 scalefont setfont
        0 0 0 setrgbcolor 72 700 moveto (Black text given in RGB) show
        showpage
        """)
        let a = try analyse(pdf)
        #expect(a.format == .pdf)
        #expect(a.pageCount == 1)
        #expect(a.colourPageCount == 0)
        #expect(a.pages.first?.colourMethod == .pageStructure)
    }

    @Test func fivePagesOneColour() throws {
        let docs = TestDocuments()
        let pdf = try docs.pdf("five.pdf", postscript: """
        %!PS
        /Helvetica findfont 24 scalefont setfont
        1 1 5 { /n exch def
          n 3 eq { 1 0 0 setrgbcolor } { 0 setgray } ifelse
          72 700 moveto (Page ) show n 3 string cvs show
          showpage } for
        """)
        let a = try analyse(pdf)
        #expect(a.pageCount == 5)
        #expect(a.colourPageCount == 1)
        #expect(a.page(3)?.colour == .colour)
        #expect(a.page(2)?.colour == .monochrome)
        #expect(a.allPages.allSatisfy { $0.colourMethod == .pageStructure })
    }
}
