import BackendCore
import Pricing

/// What a job is charged once its real backend has ended: what reached the printer, by the
/// evidence of the run (``RealBackendRun``), not the exit code alone.
///
/// | the run | charged | why |
/// |---|---|---|
/// | the printer refused the document (ipp: "Unable to add document …", any exit code) | nothing | nothing printed; the job can be sent again |
/// | the printer's job ended canceled or aborted (ipp; the backend may still exit 0) | the N impressions it reported, else nothing | the printer stopped the job: only what it made is paper |
/// | the printer's job completed (ipp) | in full | the printer says it printed the job |
/// | exit 0, no cancel | in full | the backend delivered it and the printer took it |
/// | cancelled or failed, a byte-sending backend (socket, lpd, usb …) after it said every byte was sent | in full | the printer has the whole job and prints it; a cancel cannot reach it |
/// | cancelled or failed, the printer reported N impressions (ipp's `PAGE: total N`, job-impressions-completed or SNMP) | N of the job's impressions | what the printer says it made |
/// | cancelled or failed before that | nothing | nothing shows that any page printed |
public enum Settlement: Equatable, Sendable {
    case full
    case impressions(Int)
    case nothing(String)

    /// Backends that hand the job to a printer that can still cancel it (IPP): a cancel counts
    /// what the printer reports, not what was sent.
    static let jobAwareSchemes: Set<String> = ["ipp", "ipps", "http", "https"]

    public init(run: RealBackendRun) {
        if run.report.documentRefused {
            self = .nothing("the printer refused the document")
        } else if let end = run.report.printerJobEnd, end != .completed {
            if let count = run.report.printerImpressions, count > 0 {
                self = .impressions(count)
            } else {
                self = .nothing("the printer \(end == .aborted ? "aborted" : "cancelled") the job before it printed anything")
            }
        } else if run.report.printerJobEnd == .completed || (run.termination == .exited(0) && !run.cancelled) {
            self = .full
        } else if !Self.jobAwareSchemes.contains(run.scheme.lowercased()) && run.report.allDataSent {
            self = .full
        } else if let count = run.report.printerImpressions, count > 0 {
            self = .impressions(count)
        } else {
            self = .nothing(run.cancelled ? "cancelled before the printer printed anything"
                                          : "the printer failed (\(run.termination)) before it printed anything")
        }
    }

    /// What the job is charged of `price` (for `pageSides` page sides), the price it was
    /// admitted at: all of it, its share for the impressions made, or nothing (nil).
    public func charge(of price: Money, pageSides: Int64) -> Money? {
        switch self {
        case .full: price
        case .impressions(let count): Settlement.amount(forImpressions: count, of: price, pageSides: pageSides)
        case .nothing: nil
        }
    }

    /// The amount for `count` of the `pageSides` impressions `price` is for: its share, rounded up
    /// to a minor unit (a partial job is never cheaper than its share), never more than the price.
    public static func amount(forImpressions count: Int, of price: Money, pageSides: Int64) -> Money {
        let total = price.minorUnits, all = max(1, pageSides)
        let made = min(Int64(count), all)
        let (product, overflow) = total.multipliedReportingOverflow(by: made)
        let share = overflow ? total : (product + all - 1) / all
        return Money(minorUnits: min(total, share), currency: price.currency)
    }
}
