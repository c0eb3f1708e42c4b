import Pricing

/// What the gate keeps of a job it let print, until the real backend has ended: enough to settle
/// it, in the process that admitted it or in another (the backend finishes a job the gate service
/// admitted when that service has gone meanwhile, ``Gatekeeper/init(settings:log:resuming:)``).
public struct AdmittedJob: Codable, Equatable, Sendable {
    /// The job, its owner and the price it was admitted at: what the offline journal says of it.
    public var entry: OfflineJournal.Entry
    /// The page sides that price is for (a partial print is charged its share).
    public var pageSides: Int64
    /// A release queue's job: its held-job record follows what printed.
    public var onReleaseQueue: Bool
    /// Printed while the database was unreachable: what printed goes into the journal.
    public var printedOffline: Bool

    public var jobKey: String { entry.jobKey }

    /// The price it was admitted at.
    public var price: Money {
        get throws(MoneyError) {
            Money(minorUnits: entry.admittedMinorUnits, currency: try Currency(code: entry.currency, exponent: entry.currencyExponent))
        }
    }
}
