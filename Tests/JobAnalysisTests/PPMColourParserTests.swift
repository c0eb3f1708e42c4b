import Testing
@testable import JobAnalysis

/// The pixel rule on Ghostscript's image stream: white skipped in blocks, one coloured pixel
/// anywhere found, however the stream is cut; grey (PGM) images only counted.
@Suite("PPM colour parser")
struct PPMColourParserTests {
    static func ppm(width: Int, height: Int, pixel: (at: Int, rgb: [UInt8])?, background: [UInt8] = [255, 255, 255]) -> [UInt8] {
        var pixels = [UInt8]()
        for _ in 0..<(width * height) { pixels += background }
        if let pixel { pixels.replaceSubrange((pixel.at * 3)..<(pixel.at * 3 + 3), with: pixel.rgb) }
        return Array("P6\n# comment\n\(width) \(height)\n255\n".utf8) + pixels
    }

    func parse(_ stream: [UInt8], chunk: Int) -> PPMColourParser {
        var parser = PPMColourParser()
        var at = 0
        while at < stream.count {
            let end = min(stream.count, at + chunk)
            stream[at..<end].withUnsafeBytes { parser.consume($0) }
            at = end
        }
        return parser
    }

    @Test(arguments: [0, 7, 8, 23, 24, 31, 49], [1, 7, 24, 1 << 20])
    func oneColouredPixelAnywhere(at index: Int, chunk: Int) {
        let stream = Self.ppm(width: 10, height: 5, pixel: (index, [200, 10, 10]))
            + Self.ppm(width: 10, height: 5, pixel: (index, [120, 110, 104]))   // spread 16: grey
            + Self.ppm(width: 10, height: 5, pixel: nil, background: [0, 30, 0])
        let parser = parse(stream, chunk: chunk)
        #expect(!parser.failed)
        #expect(parser.pageVerdicts == [true, false, true])
        #expect(parser.pageSizes.map(\.width) == [10, 10, 10])
    }

    @Test func greyImagesAreCountedNotInspected() {
        let pgm = Array("P5\n7 3\n255\n".utf8) + [UInt8](repeating: 9, count: 21)
        let parser = parse(pgm + pgm, chunk: 5)
        #expect(parser.pageVerdicts == [false, false])
        #expect(parser.pageSizes.map(\.height) == [3, 3])
    }
}
