extension Quote {
    /// A plain-text receipt for people (the CLI prints it), one line per item, e.g.
    ///
    /// ```
    /// Rates card "example" version 1 (EUR)
    /// 10 page sides on 6 sheets, 2 copies
    ///   6 × A4 monochrome page sides, two-sided (rule "a4-mono-duplex") @ 0.03 EUR    0.18 EUR
    ///   …
    ///   rounding to minor units (half-up)                                             -0.004 EUR
    /// Total                                                                            1.60 EUR
    /// ```
    public func receipt() -> String {
        let lines: [(String, String)] = items.map { item in
            let label = item.kind == .rounding
                ? item.description
                : "\(item.quantity) × \(item.description) @ \(item.unitPrice)"
            return (label, item.amount.description)
        }
        let totalLine = ("Total", total.description)
        let labelWidth = (lines.map { $0.0.count + 2 } + [totalLine.0.count]).max() ?? 0
        let amountWidth = (lines.map { $0.1.count } + [totalLine.1.count]).max() ?? 0

        func row(_ label: String, _ amount: String) -> String {
            label + String(repeating: " ", count: labelWidth - label.count + 2)
                + String(repeating: " ", count: amountWidth - amount.count) + amount
        }
        var out = ["Rates card \"\(cardName)\" version \(cardVersion) (\(currency.code))"]
        let copiesText = "\(copies) \(copies == 1 ? "copy" : "copies")"
        if items.contains(where: { $0.kind == .unknownFormat }) {
            out.append("Document format not understood, \(copiesText)")
        } else {
            out.append("\(pageSides) page sides on \(sheets) sheets, \(copiesText)")
        }
        out += lines.map { row("  " + $0.0, $0.1) }
        out.append(row(totalLine.0, totalLine.1))
        return out.joined(separator: "\n") + "\n"
    }
}
