/// Plain text pagination, as CUPS's texttopdf does by default: a form feed starts a new page,
/// and a page holds ``linesPerPage`` lines (Letter/A4 at 12 pt, 0.5 in margins: 66 lines).
/// Media: A4 is assumed (the text has none); colour: monochrome is assumed.
public enum TextPagination {
    public static let linesPerPage = 66
}

struct TextAnalyser {
    func analyse(_ bytes: UnsafeRawBufferPointer, options: JobOptions) -> FormatResult {
        let clock = ContinuousClock()
        let start = clock.now
        var pages = 0
        var lines = 0
        var lineOpen = false
        for b in bytes {
            switch b {
            case 0x0C:
                if lineOpen { lines += 1; lineOpen = false }
                pages += max(1, (lines + TextPagination.linesPerPage - 1) / TextPagination.linesPerPage)
                lines = 0
            case 0x0A:
                lines += 1; lineOpen = false
            default:
                lineOpen = true
            }
        }
        if lineOpen { lines += 1 }
        if lines > 0 { pages += (lines + TextPagination.linesPerPage - 1) / TextPagination.linesPerPage }
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
                             detail: "form feeds and \(TextPagination.linesPerPage) lines per page"),
            FigureProvenance(figure: .media, method: .notDetermined, milliseconds: 0, detail: "plain text has no media; A4 assumed"),
            FigureProvenance(figure: .colour, method: .notDetermined, milliseconds: 0, detail: "plain text prints monochrome"),
        ]
        return result
    }
}
