/// Plain text pagination as cups-filters 1.28's texttopdf pages it with its defaults
/// (filter/textcommon.c, no PPD: Letter, 0.25 in side and 0.5 in top/bottom margins, 10 cpi,
/// 6 lpi → 60 lines of 80 columns, `wrap` on): a long line wraps, a tab goes to the next 8th
/// column, CR returns to column 0, BS, VT and ESC 7 move back, a form feed ejects the page (even a
/// blank one), and reading stops at a byte texttopdf's UTF-8 reader gives up on (0xF0 and up, or
/// a sequence cut by the end). A PPD's imageable area or `lpi`/`cpi` options change the figures.
/// Media: A4 is assumed (the text has none); colour: monochrome is assumed.
public enum TextPagination {
    public static let linesPerPage = 60
    public static let columnsPerLine = 80

    /// The pages texttopdf prints for `bytes`.
    public static func pages(_ bytes: some Collection<UInt8>, lines size: Int = linesPerPage, columns: Int = columnsPerLine) -> Int {
        // `marked`: something was printed on the current page (a CR after it leaves the column at 0).
        var pages = 0, line = 0, column = 0, empty = true, marked = false
        var lowered = false, raised = false
        var it = bytes.makeIterator()
        func nextChar() -> Int? {
            guard let c = it.next() else { return nil }
            if c < 0xC0 { return Int(c) }
            if c & 0xE0 == 0xC0 { guard let n = it.next() else { return nil }; return (Int(c) & 0x1F) << 6 | (Int(n) & 0x3F) }
            if c & 0xF0 == 0xE0 {
                guard let n1 = it.next(), let n2 = it.next() else { return nil }
                return ((Int(c) & 0x0F) << 12) | ((Int(n1) & 0x3F) << 6) | (Int(n2) & 0x3F)
            }
            return nil
        }
        func newLine() { line += 1; column = 0; if line >= size { pages += 1; line = 0; marked = false } }
        while let ch = nextChar() {
            empty = false
            switch ch {
            case 0x08: if column > 0 { column -= 1 }
            case 0x09:
                column = (column + 8) & ~7
                if column >= columns { newLine() }
            case 0x0D: column = 0
            case 0x0A: newLine()
            case 0x0B: if line > 0 { line -= 1 }
            case 0x0C: pages += 1; line = 0; column = 0; marked = false
            case 0x1B:
                guard let next = nextChar() else { break }
                if next == 0x37, line > 0 { line -= 1 }
                else if next == 0x38 {
                    if raised && line > 0 { raised = false; line -= 1 } else if lowered { lowered = false } else { raised = true }
                } else if next == 0x39 {
                    if lowered && line < size - 1 { lowered = false; line += 1 } else if raised { raised = false } else { lowered = true }
                }
            case ..<0x20: break
            default:
                if column >= columns { newLine() }
                column += 1
                marked = true
            }
        }
        if empty { return 0 }
        if line > 0 || column > 0 || marked { pages += 1 }
        // A document with bytes in it is never free: at least the one page texttopdf starts.
        return max(pages, 1)
    }
}

struct TextAnalyser {
    func analyse(_ bytes: UnsafeRawBufferPointer, options: JobOptions) -> FormatResult {
        let clock = ContinuousClock()
        let start = clock.now
        let pages = TextPagination.pages(bytes)
        var result = FormatResult()
        result.pageCount = pages
        var builder = RunBuilder()
        let method: ColourMethod = options.colourMode == .monochrome ? .colourModeOption : .assumedMonochrome
        builder.append(pages: 1, count: pages, media: MediaSize(widthPoints: 595.28, heightPoints: 841.89),
                       colour: .monochrome, method: method)
        result.runs = builder.runs
        let ms = (clock.now - start).milliseconds
        result.provenance = [
            FigureProvenance(figure: .pageCount, method: .textLines, milliseconds: ms,
                             detail: "as texttopdf: form feeds, \(TextPagination.linesPerPage) lines of \(TextPagination.columnsPerLine) columns, long lines wrapped"),
            FigureProvenance(figure: .media, method: .notDetermined, milliseconds: 0, detail: "plain text has no media; A4 assumed"),
            FigureProvenance(figure: .colour, method: .notDetermined, milliseconds: 0, detail: "plain text prints monochrome"),
        ]
        return result
    }
}
