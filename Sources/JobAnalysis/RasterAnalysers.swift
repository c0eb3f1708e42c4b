/// PWG raster (PWG 5102.4) and CUPS raster v1/v2/v3: 1796-byte page headers (parsed here; no
/// libcups), media from `PageSize` (points), colour from `cupsColorSpace` and, for 8-bit RGB and
/// CMYK, from the pixels themselves.
struct CUPSRasterAnalyser {
    static let headerSize = 1796

    func analyse(_ data: UnsafeRawBufferPointer, options: JobOptions) -> FormatResult {
        let clock = ContinuousClock()
        let start = clock.now
        var result = FormatResult()
        guard data.count >= 4 else { result.failure = AnalysisFailure(kind: .malformed, detail: "truncated raster"); return result }
        let sync = String(decoding: UnsafeRawBufferPointer(rebasing: data[0..<4]), as: UTF8.self)
        let bigEndian = sync == "RaSt" || sync == "RaS2" || sync == "RaS3"
        let compressed = sync == "RaS2" || sync == "2SaR"
        func u32(_ at: Int) -> Int {
            Int(bigEndian ? data.bigEndianUInt32(at: at) : data.littleEndianUInt32(at: at))
        }
        var offset = 4
        var builder = RunBuilder()
        var page = 0
        var sawColourSpace = false
        while offset + Self.headerSize <= data.count {
            let h = offset
            let width = u32(h + 352), height = u32(h + 356) // PageSize in points
            let pixelsPerLine = u32(h + 372), lines = u32(h + 376)
            let bitsPerPixel = u32(h + 388), bytesPerLine = u32(h + 392)
            let colourSpace = u32(h + 400)
            guard pixelsPerLine > 0, pixelsPerLine < 1 << 20, lines < 1 << 20, bitsPerPixel > 0, bitsPerPixel <= 240,
                  bytesPerLine > 0, bytesPerLine < 1 << 26 else {
                result.warnings.append("page \(page + 1): implausible raster header; stopped")
                break
            }
            offset += Self.headerSize
            page += 1
            let space = Self.pixels(colourSpace: colourSpace, bitsPerPixel: bitsPerPixel)
            var colour: PageColour = space == .gray ? .monochrome : .unknown
            var method: ColourMethod = .rasterHeader
            if compressed {
                // Below 8 bits per pixel the compression unit is a byte.
                let unit = max(1, bitsPerPixel / 8)
                let walker = RasterPageWalker(bytesPerPixel: unit, pixelsPerLine: bitsPerPixel < 8 ? bytesPerLine : pixelsPerLine,
                                              lines: lines, pixels: space)
                guard let (end, sawColour) = walker.walk(data, from: offset) else {
                    result.warnings.append("page \(page): raster data truncated")
                    builder.append(page: page, media: MediaSize(widthPoints: Double(width), heightPoints: Double(height)),
                                   colour: colour, method: method)
                    break
                }
                offset = end
                if space == .rgb || space == .cmyk { colour = sawColour ? .colour : .monochrome; method = .rasterPixels }
            } else {
                let size = bytesPerLine * lines
                guard offset + size <= data.count else {
                    result.warnings.append("page \(page): raster data truncated")
                    builder.append(page: page, media: MediaSize(widthPoints: Double(width), heightPoints: Double(height)),
                                   colour: colour, method: method)
                    break
                }
                offset += size
                if space == .rgb || space == .cmyk { sawColourSpace = true; colour = .colour }
            }
            if options.colourMode == .monochrome { colour = .monochrome; method = .colourModeOption }
            builder.append(page: page, media: MediaSize(widthPoints: Double(width), heightPoints: Double(height)),
                           colour: colour, method: method)
        }
        if offset < data.count && offset + Self.headerSize > data.count && data.count - offset > 0 {
            result.warnings.append("raster truncated or padded: \(data.count - offset) bytes after the last complete page")
        }
        result.pageCount = page
        result.runs = builder.runs
        let ms = (clock.now - start).milliseconds
        result.provenance = [
            FigureProvenance(figure: .pageCount, method: .rasterHeaders, milliseconds: ms),
            FigureProvenance(figure: .media, method: .rasterHeaders, milliseconds: 0),
            FigureProvenance(figure: .colour, method: .rasterHeaders, milliseconds: 0,
                             detail: sawColourSpace ? "uncompressed colour pages counted as colour from the colour space" : nil),
        ]
        return result
    }

    /// cupsColorSpace values (CUPS raster spec): W=0, RGB=1, RGBA=2, K=3, CMY=4, YMC=5, CMYK=6,
    /// …, sGray=18, sRGB=19, AdobeRGB=20, Device1…15=48…62.
    static func pixels(colourSpace: Int, bitsPerPixel: Int) -> RasterPageWalker.Pixels {
        switch colourSpace {
        case 0, 3, 18, 48: return .gray
        case 1, 19, 20: return bitsPerPixel == 24 ? .rgb : .other
        case 6: return bitsPerPixel == 32 ? .cmyk : .other
        default: return .other
        }
    }
}

/// Apple raster (URF): `UNIRAST\0`, a big-endian page count, then per page a 32-byte header
/// (bits per pixel, colour space, duplex, quality, …, width, height, dpi) and compressed lines.
struct AppleRasterAnalyser {
    func analyse(_ data: UnsafeRawBufferPointer, options: JobOptions) -> FormatResult {
        let clock = ContinuousClock()
        let start = clock.now
        var result = FormatResult()
        guard data.count >= 12 else {
            result.failure = AnalysisFailure(kind: .malformed, detail: "truncated Apple raster file header")
            return result
        }
        let declared = Int(data.bigEndianUInt32(at: 8))
        var offset = 12
        var page = 0
        var builder = RunBuilder()
        while offset + 32 <= data.count {
            let bitsPerPixel = Int(data[offset]), colourSpace = Int(data[offset + 1])
            let width = Int(data.bigEndianUInt32(at: offset + 12)), height = Int(data.bigEndianUInt32(at: offset + 16))
            let dpi = Int(data.bigEndianUInt32(at: offset + 20))
            guard bitsPerPixel == 1 || bitsPerPixel == 8 || bitsPerPixel == 24 || bitsPerPixel == 32 || bitsPerPixel == 16 || bitsPerPixel == 48 || bitsPerPixel == 64,
                  width > 0, width < 1 << 20, height > 0, height < 1 << 20, dpi > 0, dpi < 10_000 else {
                result.warnings.append("page \(page + 1): implausible Apple raster header; stopped")
                break
            }
            offset += 32
            page += 1
            // URF colour spaces: 0 sGray, 1 sRGB, 2 CIELab, 3 AdobeRGB, 4 Gray, 5 RGB, 6 CMYK.
            let pixels: RasterPageWalker.Pixels
            switch colourSpace {
            case 0, 4: pixels = .gray
            case 1, 3, 5: pixels = bitsPerPixel == 24 ? .rgb : .other
            case 6: pixels = bitsPerPixel == 32 ? .cmyk : .other
            default: pixels = .other
            }
            let media = MediaSize(widthPoints: Double(width) * 72 / Double(dpi), heightPoints: Double(height) * 72 / Double(dpi))
            let walker = RasterPageWalker(bytesPerPixel: max(1, bitsPerPixel / 8),
                                          pixelsPerLine: bitsPerPixel < 8 ? (width * bitsPerPixel + 7) / 8 : width,
                                          lines: height, pixels: pixels)
            guard let (end, colour) = walker.walk(data, from: offset) else {
                result.warnings.append("page \(page): Apple raster data truncated")
                builder.append(page: page, media: media, colour: pixels == .gray ? .monochrome : .unknown, method: .rasterHeader)
                break
            }
            offset = end
            var pageColour: PageColour = pixels == .gray ? .monochrome : pixels == .other ? .unknown : (colour ? .colour : .monochrome)
            var method: ColourMethod = pixels == .gray || pixels == .other ? .rasterHeader : .rasterPixels
            if options.colourMode == .monochrome { pageColour = .monochrome; method = .colourModeOption }
            builder.append(page: page, media: media, colour: pageColour, method: method)
        }
        if declared != 0 && declared != page {
            result.warnings.append("the Apple raster header declares \(declared) pages but \(page) were found; counted \(page)")
        }
        result.pageCount = page
        result.runs = builder.runs
        let ms = (clock.now - start).milliseconds
        result.provenance = [
            FigureProvenance(figure: .pageCount, method: .rasterHeaders, milliseconds: ms),
            FigureProvenance(figure: .media, method: .rasterHeaders, milliseconds: 0),
            FigureProvenance(figure: .colour, method: .rasterHeaders, milliseconds: 0),
        ]
        return result
    }
}
