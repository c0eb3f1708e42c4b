/// Counting the sheets of paper a printer uses for one copy of a job.
enum SheetCount {
    /// Sheets for one copy. One-sided: one sheet per page side. Two-sided: consecutive page sides
    /// share a sheet (front and back), so `n` sides of one media take ceil(n / 2) sheets; a
    /// change of media starts a new sheet, leaving the previous back blank, as printers do.
    ///
    /// Runs must have non-negative counts. The result never exceeds the number of sides, but the
    /// sum is checked all the same.
    static func sheetsPerCopy(_ runs: [PageRun], sides: Sides) throws(MoneyError) -> Int64 {
        var sheets: Int64 = 0
        var blankBackOf: MediaName? = nil  // media of the last sheet if its back is still blank
        for run in runs where run.count > 0 {
            var remaining = Int64(run.count)
            if sides == .twoSided, blankBackOf == run.media {
                remaining -= 1  // this side goes on the back of the previous sheet
            }
            blankBackOf = nil
            guard remaining > 0 else { continue }
            let runSheets = sides == .oneSided ? remaining : remaining / 2 + remaining % 2
            if sides == .twoSided, remaining % 2 == 1 { blankBackOf = run.media }
            let (sum, overflow) = sheets.addingReportingOverflow(runSheets)
            guard !overflow else { throw .overflow(operation: "counting sheets") }
            sheets = sum
        }
        return sheets
    }
}
