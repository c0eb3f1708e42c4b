extension RatesCard {
    /// Prices a job.
    ///
    /// - Each page side is priced by the most specific matching rule, times the copies. Page
    ///   sides are grouped per rule, media and colour into one line each.
    /// - The per-sheet charge applies to the sheets the printer uses: one per side one-sided,
    ///   ceil(sides / 2) per copy two-sided (a media change starts a new sheet).
    /// - The per-job charge applies once.
    /// - A document whose format was not understood is charged ``unknownFormatPerCopy`` per copy
    ///   (plus the per-job charge), never free.
    /// - The exact sum is rounded once, half-up, to minor units; the difference is the last line.
    ///
    /// Throws ``QuoteError`` when a page side matches no rule, the job is malformed, or the price
    /// does not fit in 64 bits (it never traps).
    public func quote(for job: PrintJobDescription) throws(QuoteError) -> Quote {
        guard job.copies >= 1 else { throw .invalidCopies(job.copies) }
        if let bad = job.pageRuns.first(where: { $0.count < 0 }) { throw .invalidPageCount(bad.count) }
        let copies = Int64(job.copies)

        var items: [QuoteLineItem] = []
        var pageSides: Int64 = 0
        var sheets: Int64 = 0
        switch job.format {
        case .understood:
            let sidesPerCopy = try exactly { () throws(MoneyError) in try checkedSum(job.pageRuns.map { Int64($0.count) }) }
            guard sidesPerCopy > 0 else { throw .noPages }
            pageSides = try exactly { () throws(MoneyError) in try checkedProduct(sidesPerCopy, copies) }
            sheets = try exactly { () throws(MoneyError) in
                try checkedProduct(SheetCount.sheetsPerCopy(job.pageRuns, sides: job.sides), copies)
            }
            items += try pageSideItems(for: job, copies: copies)
            if let perSheet {
                let sheetCount = sheets
                items.append(try exactly { () throws(MoneyError) in
                    try item(.sheets, "sheets of paper", quantity: sheetCount, unitPrice: perSheet)
                })
            }
        case .notUnderstood:
            items.append(try exactly { () throws(MoneyError) in
                try item(
                    .unknownFormat, "copies of a document whose format was not understood",
                    quantity: copies, unitPrice: unknownFormatPerCopy)
            })
        }
        if let perJob {
            items.append(try exactly { () throws(MoneyError) in try item(.job, "job", quantity: 1, unitPrice: perJob) })
        }

        let charges = items
        let (total, roundingLine) = try exactly { () throws(MoneyError) in try roundedTotal(of: charges) }
        return Quote(
            cardName: name, cardVersion: version, currency: currency, pageSides: pageSides, sheets: sheets,
            copies: copies, items: charges + [roundingLine], total: total)
    }

    /// The exact sum of `items` rounded once, half-up, and the line that explains the rounding.
    private func roundedTotal(of items: [QuoteLineItem]) throws(MoneyError) -> (Money, QuoteLineItem) {
        var exactSum = ExactAmount.zero(currency)
        for item in items { exactSum = try exactSum.adding(item.amount) }
        let total = exactSum.roundedToMinorUnits()
        let rounding = try total.exact().subtracting(exactSum)
        let unit = currency.exponent == 0 ? "whole \(currency.code)" : "minor units"
        let line = QuoteLineItem(
            kind: .rounding, description: "rounding to \(unit) (half-up)", quantity: 1, unitPrice: rounding,
            amount: rounding)
        return (total, line)
    }

    /// Runs an exact computation; an overflow means the job is too large to price.
    private func exactly<T>(_ body: () throws(MoneyError) -> T) throws(QuoteError) -> T {
        do {
            return try body()
        } catch {
            throw .tooLarge(error)
        }
    }

    private func pageSideItems(for job: PrintJobDescription, copies: Int64) throws(QuoteError) -> [QuoteLineItem] {
        struct Key: Hashable { var rule: String; var media: MediaName; var colour: ColourMode }
        var order: [Key] = []
        var perCopy: [Key: Int64] = [:]
        var ruleByName: [String: PriceRule] = [:]
        for run in job.pageRuns where run.count > 0 {
            guard let rule = rule(media: run.media, colour: run.colour, sides: job.sides, application: job.application)
            else {
                throw .noMatchingRule(
                    card: name, media: run.media, colour: run.colour, sides: job.sides, application: job.application)
            }
            let key = Key(rule: rule.name, media: run.media, colour: run.colour)
            if perCopy[key] == nil { order.append(key) }
            ruleByName[rule.name] = rule
            let (sum, overflow) = perCopy[key, default: 0].addingReportingOverflow(Int64(run.count))
            guard !overflow else { throw .tooLarge(.overflow(operation: "adding up page counts")) }
            perCopy[key] = sum
        }
        return try order.map { key throws(QuoteError) in
            let quantity = try exactly { () throws(MoneyError) in try checkedProduct(perCopy[key]!, copies) }
            let description = "\(key.media.shortName) \(key.colour) page sides, \(job.sides) (rule \"\(key.rule)\")"
            return try exactly { () throws(MoneyError) in
                try item(
                    .pageSides(rule: key.rule, media: key.media, colour: key.colour), description,
                    quantity: quantity, unitPrice: ruleByName[key.rule]!.pricePerSide)
            }
        }
    }

    private func item(
        _ kind: QuoteLineItem.Kind, _ description: String, quantity: Int64, unitPrice: ExactAmount
    ) throws(MoneyError) -> QuoteLineItem {
        QuoteLineItem(
            kind: kind, description: description, quantity: quantity, unitPrice: unitPrice,
            amount: try unitPrice.multiplied(by: quantity))
    }

    private func checkedSum(_ values: [Int64]) throws(MoneyError) -> Int64 {
        var sum: Int64 = 0
        for value in values {
            let (next, overflow) = sum.addingReportingOverflow(value)
            guard !overflow else { throw .overflow(operation: "adding up page counts") }
            sum = next
        }
        return sum
    }

    private func checkedProduct(_ a: Int64, _ b: Int64) throws(MoneyError) -> Int64 {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw .overflow(operation: "\(a) × \(b) copies") }
        return product
    }
}
