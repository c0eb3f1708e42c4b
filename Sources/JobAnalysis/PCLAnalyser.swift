/// PCL 5 / PCL XL wrapped in PJL, best effort: Debian 12 ships no PCL interpreter (no GhostPCL),
/// so pages are counted from PJL hints when the driver wrote them, else (PCL 5) from form feeds
/// outside escape sequences and binary data, with page sizes from `ESC & l # A`. Colour is
/// monochrome unless the job selects a colour palette (`ESC * r # U` with # ≠ 1, or
/// `ESC * v # W` configure-image-data), in which case it is unknown. PCL XL without PJL hints is
/// not counted (unknown, with the reason).
struct PCLAnalyser {
    /// `ESC & l # A` page size codes → media.
    static let pageSizes: [Int: (Double, Double)] = [
        1: (522, 756), 2: (612, 792), 3: (612, 1008), 6: (792, 1224), 25: (419.53, 595.28),
        26: (595.28, 841.89), 27: (841.89, 1190.55), 45: (515.91, 728.5), 46: (728.5, 1031.81),
    ]

    func analyse(_ data: UnsafeRawBufferPointer, options: JobOptions) -> FormatResult {
        let clock = ContinuousClock()
        let start = clock.now
        var result = FormatResult()
        let pjl = Self.pjlHints(data)
        if let name = pjl.application { result.applicationCandidates.append((name, .pjl)) }
        let isXL = data.firstIndex(of: Array(") HP-PCL XL".utf8)) != nil
        var scan = (pages: 0, sizes: [Int](), colour: false, copies: 1)
        if !isXL { scan = Self.scanPCL5(data) }
        // The printer makes the copies the document asks for (PJL COPIES/QTY, PCL ESC&l#X):
        // counted at the largest asked anywhere in it, never fewer.
        result.documentCopies = max(pjl.copies, scan.copies)
        let monochrome = options.colourMode == .monochrome
        let colour: PageColour = monochrome ? .monochrome : (isXL || scan.colour ? .unknown : .monochrome)
        let method: ColourMethod = monochrome ? .colourModeOption : (colour == .unknown ? .notDetermined : .assumedMonochrome)
        var builder = RunBuilder()
        let defaultMedia = MediaSize(widthPoints: 595.28, heightPoints: 841.89)
        let count: Int?
        var countDetail: String
        if let hinted = pjl.pages {
            count = hinted
            countDetail = "PJL page hint (no PCL interpreter available)"
        } else if !isXL {
            count = scan.pages
            countDetail = "form feeds counted (no PCL interpreter available)"
        } else {
            count = nil
            countDetail = "PCL XL without PJL page hints: not counted (no PCL interpreter available)"
            result.failure = AnalysisFailure(kind: .notCountable, detail: countDetail)
        }
        if let count {
            result.pageCount = count
            for page in 1...max(1, count) where count > 0 {
                let code = page - 1 < scan.sizes.count ? scan.sizes[page - 1] : scan.sizes.last
                let media = code.flatMap { Self.pageSizes[$0] }.map { MediaSize(widthPoints: $0.0, heightPoints: $0.1) } ?? defaultMedia
                builder.append(page: page, media: media, colour: colour, method: method)
            }
            if scan.sizes.isEmpty { countDetail += "; page size not stated, A4 assumed" }
        }
        result.runs = builder.runs
        let ms = (clock.now - start).milliseconds
        result.provenance = [
            FigureProvenance(figure: .pageCount, method: count == nil ? .notDetermined : .pclFormFeedsAndPJL, milliseconds: ms, detail: countDetail),
            FigureProvenance(figure: .media, method: .pclFormFeedsAndPJL, milliseconds: 0),
            FigureProvenance(figure: .colour, method: colour == .unknown ? .notDetermined : .pclFormFeedsAndPJL, milliseconds: 0,
                             detail: colour == .unknown ? "colour commands present; no PCL interpreter to judge them" : "no colour commands"),
        ]
        return result
    }

    /// PJL lines: `@PJL SET PAGES=N`, `@PJL JOB … PAGES=N`, `@PJL SET JOBATTR="@PAGECOUNT=N"`,
    /// `@PJL COMMENT … Application=` / `@PJL SET JOBATTR="@APPL=…"` (driver-specific).
    static func pjlHints(_ data: UnsafeRawBufferPointer) -> (pages: Int?, application: String?, copies: Int) {
        var pages: Int?
        var application: String?
        var copies = 1
        var i = 0
        let limit = min(data.count, 1 << 16)
        while let at = data.firstIndex(of: Array("@PJL".utf8), from: i), at < limit {
            var j = at
            while j < data.count && data[j] != 10 && data[j] != 13 && data[j] != 0x1B { j += 1 }
            let line = String(decoding: UnsafeRawBufferPointer(rebasing: data[at..<min(j, at + 512)]), as: UTF8.self)
            let upper = line.uppercased()
            for key in ["PAGECOUNT=", "PAGES=", "PAGES = "] {
                if let r = upper.firstRange(of: key) {
                    let digits = upper[r.upperBound...].prefix { $0.isNumber }
                    if let n = Int(digits), n > 0, n < 10_000_000 { pages = n }
                }
            }
            // `@PJL SET COPIES=N` (uncollated) and `@PJL SET QTY=N` (collated) both multiply the job.
            for key in ["SET COPIES", "SET QTY"] {
                if let r = upper.firstRange(of: key) {
                    let digits = upper[r.upperBound...].drop { $0 == " " || $0 == "=" }.prefix { $0.isNumber }
                    if let n = Int(digits.prefix(6)), n > 1 { copies = max(copies, min(n, 9999)) }
                }
            }
            if let r = upper.firstRange(of: "@APPL=") ?? upper.firstRange(of: "APPLICATION=") {
                let offset = upper.distance(from: upper.startIndex, to: r.upperBound)
                let rest = line.dropFirst(offset).prefix { $0 != "\"" }
                if !rest.isEmpty { application = String(rest) }
            }
            i = j
        }
        return (pages, application, copies)
    }

    /// Walks PCL 5: counts form feeds outside escape sequences (skipping binary data announced by
    /// `…W` parameters and `ESC & p # X`), plus a final page with marks but no form feed.
    static func scanPCL5(_ data: UnsafeRawBufferPointer) -> (pages: Int, sizes: [Int], colour: Bool, copies: Int) {
        var copies = 1
        var pages = 0
        var sizes: [Int] = []
        var currentSize: Int?
        var colour = false
        var marks = false
        var i = 0
        let n = data.count
        while i < n {
            let c = data[i]
            if c == 0x1B {
                guard i + 1 < n else { break }
                let p = data[i + 1]
                if p == 0x25, i + 8 < n, data[i + 2] == 0x2D { // ESC%-12345X (UEL): skip PJL line(s) after it
                    i += 9
                    continue
                }
                if p >= 0x21 && p <= 0x2F, i + 2 < n {
                    let group = data[i + 2]
                    var k = i + 3
                    // Value fields with parameter characters; lowercase continues, uppercase ends.
                    while k < n {
                        var value = 0, negative = false, digits = 0
                        if data[k] == 0x2B || data[k] == 0x2D { negative = data[k] == 0x2D; k += 1 }
                        while k < n && ((data[k] >= 0x30 && data[k] <= 0x39) || data[k] == 0x2E) {
                            if data[k] != 0x2E && digits < 9 { value = value * 10 + Int(data[k] - 0x30); digits += 1 }
                            k += 1
                        }
                        guard k < n else { break }
                        let term = data[k]
                        k += 1
                        let upper = term & ~0x20
                        if upper == 0x57 || (p == 0x26 && group == 0x70 && upper == 0x58) { // W data, ESC&p#X
                            if p == 0x2A && group == 0x76 { colour = true } // ESC*v#W configure image data
                            k += max(0, value)
                            if p == 0x2A && group == 0x62 { marks = true }
                        } else if p == 0x26 && group == 0x6C && upper == 0x41 { // ESC&l#A page size
                            currentSize = value
                        } else if p == 0x26 && group == 0x6C && upper == 0x58 { // ESC&l#X number of copies
                            if !negative && value > 1 { copies = max(copies, min(value, 9999)) }
                        } else if p == 0x2A && group == 0x72 && upper == 0x55 { // ESC*r#U palette
                            if negative || value == 3 { colour = true }
                        }
                        if term >= 0x40 && term <= 0x5E { break }
                    }
                    i = k
                    continue
                }
                if p == 0x45 { // ESC E: reset ends a page with marks
                    if marks { pages += 1; sizes.append(currentSize ?? -1); marks = false }
                }
                i += 2
                continue
            }
            if c == 0x0C { pages += 1; sizes.append(currentSize ?? -1); marks = false }
            else if c > 0x20 { marks = true }
            i += 1
        }
        if marks { pages += 1; sizes.append(currentSize ?? -1) }
        return (pages, sizes.map { $0 }, colour, copies)
    }
}
