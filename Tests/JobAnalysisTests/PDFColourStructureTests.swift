import Testing
@testable import JobAnalysis

/// Colour spaces, forms, images, shadings, patterns and annotations; rendering only where needed.
@Suite("PDF colour: resources, images and rendering")
struct PDFColourStructureTests {
    func judge(_ content: String, resources: String = "<< >>", extra: [String] = [], pageExtra: String = "",
               options: JobOptions = JobOptions()) throws -> PageInfo {
        let docs = TestDocuments()
        let p = docs.write("t.pdf", TestDocuments.onePage(content: content, resources: resources, pageExtra: pageExtra, extraObjects: extra))
        return try #require(try analyse(p, options).page(1))
    }

    /// An uncompressed 2×2 image in `space` with the given sample bytes (as a hex string).
    static func image(_ space: String, hex: String, bpc: Int = 8) -> String {
        TestDocuments.stream("\(hex)>", dictionary: "/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace \(space) /BitsPerComponent \(bpc) /Filter /ASCIIHexDecode")
    }

    @Test func rgbImageWithGreyPixelsIsRenderedAndMonochrome() throws {
        let page = try judge("q 200 0 0 200 50 50 cm /Im0 Do Q", resources: "<< /XObject << /Im0 5 0 R >> >>",
                             extra: [Self.image("/DeviceRGB", hex: "808080 808080 202020 FFFFFF")])
        #expect(page.colour == .monochrome)
        #expect(page.colourMethod == .ghostscriptRender)
    }

    @Test func rgbImageWithColourPixelsIsRenderedAndColour() throws {
        let page = try judge("q 200 0 0 200 50 50 cm /Im0 Do Q", resources: "<< /XObject << /Im0 5 0 R >> >>",
                             extra: [Self.image("/DeviceRGB", hex: "FF0000 00FF00 0000FF FFFFFF")])
        #expect(page.colour == .colour)
        #expect(page.colourMethod == .ghostscriptRender)
    }

    @Test func greyImageAndImageMaskAreDecidedFromStructure() throws {
        let grey = try judge("q 200 0 0 200 50 50 cm /Im0 Do Q", resources: "<< /XObject << /Im0 5 0 R >> >>",
                             extra: [TestDocuments.stream("00FF8040>", dictionary: "/Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /ASCIIHexDecode")])
        #expect(grey.colour == .monochrome && grey.colourMethod == .pageStructure)
        let redMask = try judge("1 0 0 rg q 200 0 0 200 50 50 cm /Im0 Do Q", resources: "<< /XObject << /Im0 5 0 R >> >>",
                                extra: [TestDocuments.stream("40C0>", dictionary: "/Subtype /Image /Width 2 /Height 2 /ImageMask true /BitsPerComponent 1 /Filter /ASCIIHexDecode")])
        #expect(redMask.colour == .colour && redMask.colourMethod == .pageStructure)
    }

    @Test func indexedImages() throws {
        let neutralPalette = try judge("q 200 0 0 200 50 50 cm /Im0 Do Q", resources: "<< /XObject << /Im0 5 0 R >> >>",
                                       extra: [Self.image("[/Indexed /DeviceRGB 1 <000000FFFFFF>]", hex: "00010100")])
        #expect(neutralPalette.colour == .monochrome && neutralPalette.colourMethod == .pageStructure)
    }

    @Test func formXObjectsRecursively() throws {
        let form = TestDocuments.stream("q /F2 Do Q", dictionary: "/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /F2 6 0 R >> >>")
        let inner = TestDocuments.stream("0 0 1 rg 0 0 50 50 re f", dictionary: "/Type /XObject /Subtype /Form /BBox [0 0 100 100]")
        let page = try judge("/F1 Do", resources: "<< /XObject << /F1 5 0 R >> >>", extra: [form, inner])
        #expect(page.colour == .colour && page.colourMethod == .pageStructure)
        let greyInner = TestDocuments.stream("0.2 0.2 0.2 rg 0 0 50 50 re f", dictionary: "/Type /XObject /Subtype /Form /BBox [0 0 100 100]")
        let mono = try judge("/F1 Do", resources: "<< /XObject << /F1 5 0 R >> >>", extra: [form, greyInner])
        #expect(mono.colour == .monochrome)
    }

    @Test func selfReferencingFormTerminates() throws {
        let form = TestDocuments.stream("0 g 0 0 5 5 re f /F1 Do", dictionary: "/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /F1 5 0 R >> >>")
        let page = try judge("/F1 Do", resources: "<< /XObject << /F1 5 0 R >> >>", extra: [form])
        #expect(page.colour == .monochrome) // undecided by structure, rendered
    }

    @Test func colourSpacesFromResources() throws {
        let res = "<< /ColorSpace << /Sep [/Separation /PANTONE#20185 /DeviceCMYK 6 0 R] /Blk [/Separation /Black /DeviceCMYK 6 0 R] /Icc3 [/ICCBased 5 0 R] /Idx [/Indexed /DeviceRGB 1 <000000FF0000>] >> >>"
        let icc = TestDocuments.stream("", dictionary: "/N 3")
        let fn = "<< /FunctionType 2 /Domain [0 1] /C0 [0 0 0 0] /C1 [0 1 1 0] /N 1 >>"
        #expect(try judge("/Blk cs 1 sc 0 0 9 9 re f", resources: res, extra: [icc, fn]).colour == .monochrome)
        #expect(try judge("/Icc3 cs 0.5 0.5 0.5 sc 0 0 9 9 re f", resources: res, extra: [icc, fn]).colourMethod == .pageStructure)
        #expect(try judge("/Icc3 cs 0 0 1 scn 0 0 9 9 re f", resources: res, extra: [icc, fn]).colour == .colour)
        #expect(try judge("/Idx cs 0 sc 0 0 9 9 re f", resources: res, extra: [icc, fn]).colour == .monochrome)
        #expect(try judge("/Idx cs 1 sc 0 0 9 9 re f", resources: res, extra: [icc, fn]).colour == .colour)
        // A spot colour cannot be judged by name: rendered (PANTONE 185 is red).
        let spot = try judge("/Sep cs 1 scn 0 0 200 200 re f", resources: res, extra: [icc, fn])
        #expect(spot.colour == .colour && spot.colourMethod == .ghostscriptRender)
    }

    @Test func shadings() throws {
        let greyAxial = "<< /ShadingType 2 /ColorSpace /DeviceRGB /Coords [0 0 100 0] /Function << /FunctionType 2 /Domain [0 1] /C0 [0 0 0] /C1 [1 1 1] /N 1 >> >>"
        let colourAxial = "<< /ShadingType 2 /ColorSpace /DeviceRGB /Coords [0 0 100 0] /Function << /FunctionType 2 /Domain [0 1] /C0 [1 0 0] /C1 [0 0 1] /N 1 >> >>"
        #expect(try judge("/Sh0 sh", resources: "<< /Shading << /Sh0 \(greyAxial) >> >>") .colour == .monochrome)
        #expect(try judge("/Sh0 sh", resources: "<< /Shading << /Sh0 \(colourAxial) >> >>").colour == .colour)
        // A shading pattern used as a fill colour.
        let pattern = "<< /PatternType 2 /Shading \(colourAxial) >>"
        #expect(try judge("/Pattern cs /P0 scn 0 0 100 100 re f", resources: "<< /Pattern << /P0 \(pattern) >> >>").colour == .colour)
    }

    @Test func printableAnnotationsCount() throws {
        let ap = TestDocuments.stream("1 0 0 rg 0 0 20 20 re f", dictionary: "/Type /XObject /Subtype /Form /BBox [0 0 20 20]")
        let printable = "<< /Type /Annot /Subtype /Square /Rect [100 100 120 120] /F 4 /AP << /N 6 0 R >> >>"
        let screenOnly = "<< /Type /Annot /Subtype /Square /Rect [100 100 120 120] /F 0 /AP << /N 6 0 R >> >>"
        #expect(try judge("0 g 0 0 9 9 re f", extra: [printable, ap], pageExtra: "/Annots [5 0 R]").colour == .colour)
        #expect(try judge("0 g 0 0 9 9 re f", extra: [screenOnly, ap], pageExtra: "/Annots [5 0 R]").colour == .monochrome)
    }

    @Test func monochromeModeSkipsColourAnalysis() throws {
        let page = try judge("1 0 0 rg 0 0 9 9 re f", options: JobOptions(colourMode: .monochrome))
        #expect(page.colour == .monochrome && page.colourMethod == .colourModeOption)
    }

    @Test func mostlyBlackDocumentWithOneColourImagePage() throws {
        // 6 pages; page 4 holds an RGB image with colour pixels, page 5 an RGB image of greys.
        var objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
        let pageCount = 6
        let kids = (0..<pageCount).map { "\(3 + 2 * $0) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pageCount) /MediaBox [0 0 595 842] >>")
        let imageIndex = 3 + 2 * pageCount
        for i in 0..<pageCount {
            let content: String
            switch i {
            case 3: content = "q 200 0 0 200 50 50 cm /Im0 Do Q"
            case 4: content = "q 200 0 0 200 50 50 cm /Im1 Do Q"
            default: content = "0 0 0 rg 0 0 100 100 re f"
            }
            objects.append("<< /Type /Page /Parent 2 0 R /Resources << /XObject << /Im0 \(imageIndex) 0 R /Im1 \(imageIndex + 1) 0 R >> >> /Contents \(4 + 2 * i) 0 R >>")
            objects.append(TestDocuments.stream(content))
        }
        objects.append(Self.image("/DeviceRGB", hex: "FF0000 00FF00 0000FF FFFFFF"))
        objects.append(Self.image("/DeviceRGB", hex: "808080 808080 202020 FFFFFF"))
        let docs = TestDocuments()
        let a = try analyse(docs.write("mixed.pdf", TestDocuments.rawPDF(objects)))
        #expect(a.pageCount == 6)
        #expect(a.colourPageCount == 1)
        #expect(a.page(4)?.colour == .colour)
        #expect(a.page(5)?.colourMethod == .ghostscriptRender)
        #expect(a.page(6)?.colourMethod == .pageStructure)
        #expect(a.provenance.first { $0.figure == .colour }?.detail?.hasPrefix("2 of 6 pages rendered") == true, "\(a.provenance)")
    }
}
