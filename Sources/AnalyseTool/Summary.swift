import JobAnalysis

/// The person-readable report.
enum Summary {
    static func text(_ a: JobAnalysis, document: String) -> String {
        var lines: [String] = []
        lines.append("document:    \(document == "-" ? "(stdin)" : document)")
        lines.append("format:      \(a.format.rawValue)" + (a.formatReason.map { " (\($0))" } ?? ""))
        lines.append("pages:       " + (a.pageCount.map(String.init) ?? "unknown")
                     + "  colour: \(a.colourPageCount)")
        if let app = a.application {
            lines.append("application: \(app.name)  [\(app.source.rawValue): \(app.raw)]")
        } else {
            lines.append("application: unknown")
        }
        for run in a.pages.prefix(40) {
            let range = run.firstPage == run.lastPage ? "\(run.firstPage)" : "\(run.firstPage)-\(run.lastPage)"
            lines.append("  page \(range): \(run.media.pwgName) (\(format(run.media.widthPoints))×\(format(run.media.heightPoints)) pt) \(run.colour.rawValue) [\(run.colourMethod.rawValue)]")
        }
        if a.pages.count > 40 { lines.append("  … \(a.pages.count - 40) more runs") }
        if a.isCountKnown {
            let o = a.output
            lines.append("output:      \(o.copies) copies, \(o.numberUp)-up, \(o.sides.rawValue), colour mode \(o.colourMode.rawValue)")
            lines.append("             \(o.selectedPages) pages selected → \(o.impressionsPerCopy) impressions, \(o.sheetsPerCopy) sheets per copy; total \(o.totalImpressions) impressions, \(o.totalSheets) sheets")
            for t in o.impressionTally {
                lines.append("             \(t.impressions) × \(t.media) \(t.colour.rawValue) per copy")
            }
        } else {
            lines.append("output:      unknown: " + (a.failure.map { "\($0)" } ?? "page count not determined"))
        }
        lines.append("how:")
        for p in a.provenance {
            lines.append("  \(p.figure.rawValue): \(p.method.rawValue), \(format(p.milliseconds)) ms" + (p.detail.map { " — \($0)" } ?? ""))
        }
        for w in a.warnings { lines.append("warning: \(w)") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
