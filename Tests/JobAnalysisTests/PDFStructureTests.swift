import Testing
@testable import JobAnalysis

@Suite("PDF colour operators")
struct PDFStructureTests {
    func colour(_ content: String, resources: String = "<< >>", extra: [String] = [], pageExtra: String = "") throws -> (PageColour, ColourMethod) {
        let docs = TestDocuments()
        let p = docs.write("t.pdf", TestDocuments.onePage(content: content, resources: resources, pageExtra: pageExtra, extraObjects: extra))
        let a = try analyse(p)
        let page = try #require(a.page(1))
        return (page.colour, page.colourMethod)
    }

    @Test func neutralAndColourOperands() throws {
        #expect(try colour("0 0 0 rg 0 0 10 10 re f") == (.monochrome, .pageStructure))
        #expect(try colour("0.5 0.5 0.5 rg 0 0 10 10 re f") == (.monochrome, .pageStructure))
        #expect(try colour("1 0 0 rg 0 0 10 10 re f") == (.colour, .pageStructure))
        #expect(try colour("0 0 0 1 k 0 0 10 10 re f") == (.monochrome, .pageStructure))
        #expect(try colour("0 1 0 0 K 0 0 m 10 10 l S") == (.colour, .pageStructure))
        #expect(try colour("0.3 g 0 0 10 10 re f") == (.monochrome, .pageStructure))
    }

    @Test func colourSetButNotPaintedIsMonochrome() throws {
        #expect(try colour("1 0 0 rg 0 g 0 0 10 10 re f") == (.monochrome, .pageStructure))
        #expect(try colour("q 1 0 0 rg Q 0 0 10 10 re f") == (.monochrome, .pageStructure))
    }
}
