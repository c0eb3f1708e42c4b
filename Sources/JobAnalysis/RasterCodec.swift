/// Walks the PackBits-style line compression shared by PWG raster, CUPS raster v2 and Apple
/// raster (URF): each line starts with a repeat count byte; then runs of `n+1` copies of one
/// pixel (n < 128), `257−n` literal pixels (n > 128), or 128 = the rest of the line is white.
///
/// The walk yields the page's data size (to find the next header) and, for 8-bit colour
/// pixels, whether any pixel is visibly non-neutral.
struct RasterPageWalker {
    enum Pixels { case gray, rgb, cmyk, other }

    let bytesPerPixel: Int
    let pixelsPerLine: Int
    let lines: Int
    let pixels: Pixels

    /// Returns the offset after the page's data and whether colour was seen, or nil if truncated.
    func walk(_ data: UnsafeRawBufferPointer, from start: Int) -> (end: Int, colour: Bool)? {
        var i = start
        var line = 0
        var colour = false
        let n = data.count
        let bpp = bytesPerPixel
        func check(_ at: Int) {
            guard !colour else { return }
            switch pixels {
            case .rgb where bpp >= 3:
                if PPMColourParser.spread(data[at], data[at + 1], data[at + 2]) > PPMColourParser.threshold { colour = true }
            case .cmyk where bpp >= 4:
                let rgb = NeutralRule.cmykToRGB(Double(data[at]) / 255, Double(data[at + 1]) / 255, Double(data[at + 2]) / 255, Double(data[at + 3]) / 255)
                if NeutralRule.spread(rgb) > NeutralRule.threshold { colour = true }
            default: break
            }
        }
        while line < lines {
            guard i < n else { return nil }
            let repeatCount = Int(data[i]) + 1
            i += 1
            var x = 0
            while x < pixelsPerLine {
                guard i < n else { return nil }
                let code = Int(data[i]); i += 1
                if code == 128 { x = pixelsPerLine; break }
                if code < 128 {
                    guard i + bpp <= n else { return nil }
                    check(i)
                    i += bpp
                    x += code + 1
                } else {
                    let count = 257 - code
                    guard i + count * bpp <= n else { return nil }
                    if !colour && pixels != .gray && pixels != .other {
                        for k in 0..<count { check(i + k * bpp) }
                    }
                    i += count * bpp
                    x += count
                }
            }
            line += repeatCount
        }
        return (i, colour)
    }
}
