/// Renders selected PDF pages with Ghostscript at 72 dpi into RGB and applies the person's rule
/// (some pixel's max−min channel spread > 16 of 255) to each.
///
/// All pages are rendered in one Ghostscript process (`-sPageList`), since starting Ghostscript
/// costs ~130 ms. Ghostscript runs under `-dSAFER` with a wall-clock limit. 72 dpi is the rule's
/// resolution: rendering lower would average small coloured marks away.
///
/// Failure policy: pages Ghostscript did not deliver (crash, time limit, damaged file) are
/// returned as missing; the analyser reports them as colour `unknown`.
struct GhostscriptRenderer {
    var ghostscript: String
    var timeout: Duration
    var resolution = 72

    /// Colour verdicts for `pages` (1-based, ascending) keyed by page number, plus the outcome.
    /// `expectedSizes` gives each page's size in pixels at 72 dpi (its media in points), used to
    /// check that images are attributed to the right pages.
    func render(pages: [Int], expectedSizes: [Int: (width: Int, height: Int)] = [:],
                document: DocumentData) -> (verdicts: [Int: Bool], outcome: ChildProcess.Outcome) {
        guard !pages.isEmpty else { return ([:], .exited(0)) }
        let input = document.childInput(seekable: true)
        let list = Self.compressedPageList(pages)
        var arguments = ["-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOPROMPT", "-sstdout=%stderr",
                         "-sDEVICE=ppmraw", "-r\(resolution)", "-dPrinted", "-dUseCropBox",
                         "-dTextAlphaBits=1", "-dGraphicsAlphaBits=1",
                         "-sPageList=\(list)", "-sOutputFile=-"]
        arguments += input.operands
        let child = ChildProcess(executable: ghostscript, arguments: arguments, stdinDescriptor: input.stdin, timeout: timeout)
        var parser = PPMColourParser()
        let outcome = child.run { chunk in
            parser.consume(chunk)
            return !parser.failed
        }
        // Pages arrive in order, but Ghostscript may skip a page it cannot render; then every
        // later image would be attributed to the wrong page. Failure policy: the images are
        // matched to pages only while each image's size fits its page's media (±2 px at 72 dpi,
        // either orientation) and, unless Ghostscript was stopped by the time limit, only when
        // it delivered exactly the pages asked for; otherwise the rest are left unknown.
        var verdicts: [Int: Bool] = [:]
        let complete = parser.pageVerdicts.count == pages.count
        guard complete || outcome == .timedOut else { return ([:], outcome) }
        for (i, colour) in parser.pageVerdicts.enumerated() where i < pages.count {
            if let expected = expectedSizes[pages[i]] {
                let size = parser.pageSizes[i]
                let fits = (abs(size.width - expected.width) <= 2 && abs(size.height - expected.height) <= 2)
                    || (abs(size.width - expected.height) <= 2 && abs(size.height - expected.width) <= 2)
                guard fits else { break }
            }
            verdicts[pages[i]] = colour
        }
        return (verdicts, outcome)
    }

    /// `1,2,3,7,9,10` → `1-3,7,9-10`.
    static func compressedPageList(_ pages: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < pages.count {
            var j = i
            while j + 1 < pages.count && pages[j + 1] == pages[j] + 1 { j += 1 }
            parts.append(i == j ? "\(pages[i])" : "\(pages[i])-\(pages[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }
}

/// Parses a stream of binary PPM (P6, maxval 255) images and decides each one's colour, or of PGM
/// (P5) images, which are only counted and measured (grey is never colour).
struct PPMColourParser {
    /// One entry per complete image: true when some pixel's spread exceeds 16.
    private(set) var pageVerdicts: [Bool] = []
    /// Pixel size of each complete image.
    private(set) var pageSizes: [(width: Int, height: Int)] = []
    private var currentSize = (width: 0, height: 0)
    private(set) var failed = false

    private var header: [UInt8] = []
    private var remaining = 0 // bytes of pixel data left in the current image
    private var channels = 3 // 3: PPM (RGB), 1: PGM (grey, not inspected)
    private var isColour = false
    private var partial: [UInt8] = [] // a pixel split across chunks
    static let threshold: Int = 16

    mutating func consume(_ chunk: UnsafeRawBufferPointer) {
        var i = 0
        let n = chunk.count
        while i < n && !failed {
            if remaining == 0 {
                header.append(chunk[i]); i += 1
                if header.count > 1024 { failed = true; return } // Ghostscript adds a comment line
                if let (w, h, c) = Self.parseHeader(header) {
                    remaining = w * h * c
                    channels = c
                    currentSize = (w, h)
                    header.removeAll()
                    isColour = false
                    partial.removeAll()
                    if remaining == 0 { pageVerdicts.append(false); pageSizes.append(currentSize) }
                }
                continue
            }
            if channels == 1 {
                let skip = min(remaining, n - i)
                i += skip
                remaining -= skip
                if remaining == 0 { pageVerdicts.append(false); pageSizes.append(currentSize) }
                continue
            }
            // Finish a pixel split across chunks.
            while !partial.isEmpty && partial.count < 3 && i < n && remaining > 0 {
                partial.append(chunk[i]); i += 1; remaining -= 1
            }
            if partial.count == 3 {
                if Self.spread(partial[0], partial[1], partial[2]) > Self.threshold { isColour = true }
                partial.removeAll()
            }
            let available = min(remaining, n - i)
            let whole = available / 3 * 3
            if !isColour { isColour = Self.containsColour(UnsafeRawBufferPointer(rebasing: chunk[i..<(i + whole)])) }
            i += whole
            remaining -= whole
            if available > whole && remaining > 0 {
                // 1 or 2 bytes of a pixel at the end of the chunk.
                let rest = min(available - whole, remaining)
                for k in 0..<rest { partial.append(chunk[i + k]) }
                i += rest
                remaining -= rest
            }
            if remaining == 0 { pageVerdicts.append(isColour); pageSizes.append(currentSize) }
        }
    }

    /// Whether some pixel of `pixels` (whole RGB triples) spreads more than the threshold, 8 pixels
    /// (24 bytes) at a time: white, most of a page of text, is three comparisons, and the other
    /// blocks are checked without a branch per pixel. (Pixel by pixel, 3300 pages of text took
    /// 2 s of checking.)
    static func containsColour(_ pixels: UnsafeRawBufferPointer) -> Bool {
        var k = 0
        let n = pixels.count
        while k + 24 <= n {
            if pixels.loadUnaligned(fromByteOffset: k, as: UInt64.self) != .max
                || pixels.loadUnaligned(fromByteOffset: k + 8, as: UInt64.self) != .max
                || pixels.loadUnaligned(fromByteOffset: k + 16, as: UInt64.self) != .max {
                var widest = 0
                for p in stride(from: k, to: k + 24, by: 3) {
                    widest = max(widest, spread(pixels[p], pixels[p + 1], pixels[p + 2]))
                }
                if widest > threshold { return true }
            }
            k += 24
        }
        while k + 3 <= n {
            if spread(pixels[k], pixels[k + 1], pixels[k + 2]) > threshold { return true }
            k += 3
        }
        return false
    }

    @inline(__always) static func spread(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        Int(max(r, g, b)) - Int(min(r, g, b))
    }

    /// `P6 W H 255` (or `P5 …`) followed by one whitespace byte: the image size in pixels and the
    /// bytes per pixel (3 or 1).
    static func parseHeader(_ h: [UInt8]) -> (Int, Int, Int)? {
        guard h.count >= 2, h[0] == 0x50, h[1] == 0x36 || h[1] == 0x35 else { return nil }
        var tokens: [Int] = []
        var current: Int?
        var inComment = false
        for (index, c) in h.enumerated().dropFirst(2) {
            if inComment { if c == 10 { inComment = false }; continue }
            if c == 0x23 { inComment = true; continue }
            if c >= 0x30 && c <= 0x39 {
                current = (current ?? 0) * 10 + Int(c - 0x30)
                if current! > 1 << 20 { return nil }
            } else if c == 32 || c == 10 || c == 13 || c == 9 {
                if let v = current { tokens.append(v); current = nil }
                if tokens.count == 3 {
                    guard index == h.count - 1, tokens[2] == 255 else { return nil }
                    return (tokens[0], tokens[1], h[1] == 0x36 ? 3 : 1)
                }
            } else {
                return nil
            }
        }
        return nil
    }
}
