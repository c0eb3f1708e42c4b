import Foundation
import Pricing

/// How a usage report groups the ledger.
public enum UsageGrouping: String, Hashable, Sendable, Codable, CaseIterable {
    case user
    case account
    case userAndAccount = "user-account"
    /// By the queue the jobs printed on (charges and refunds only).
    case queue
    /// By the application that made the documents (charges and refunds only).
    case application
}

/// Which part of the ledger a usage report covers.
public struct UsageReportQuery: Hashable, Sendable {
    public var grouping: UsageGrouping
    /// Inclusive.
    public var from: Date?
    /// Exclusive.
    public var until: Date?
    public var user: String?
    /// Name or code.
    public var account: String?

    public init(grouping: UsageGrouping, from: Date? = nil, until: Date? = nil, user: String? = nil, account: String? = nil) {
        self.grouping = grouping
        self.from = from
        self.until = until
        self.user = user
        self.account = account
    }
}

/// One line of a usage report. Personal-wallet rows have no account.
public struct UsageReportRow: Hashable, Sendable, Encodable {
    public var user: String?
    /// `nil` in a per-user report, or for the personal wallet in the other groupings.
    public var account: AccountRef?
    /// In a per-queue report: the queue (nil: jobs from before it was recorded).
    public var queue: String?
    /// In a per-application report: the application (nil: not known).
    public var application: String?
    /// Jobs with a debit in the period.
    public var jobs: Int
    /// Debited (printed) in the period.
    public var charged: Money
    /// Refunded in the period.
    public var refunded: Money
    /// Credits (manual and scheduled) and adjustments: their net balance effect.
    public var credited: Money
    public var toppedUp: Money
    /// `charged − refunded`.
    public var net: Money { Money(minorUnits: charged.minorUnits - refunded.minorUnits, currency: charged.currency) }
}

/// The result of re-deriving every balance from the ledger.
public struct CheckReport: Hashable, Sendable, Encodable {
    public var ledgerRows: Int
    public var wallets: Int
    public var allocations: Int
    public var reservations: Int
    /// Empty when the database is consistent; each line names the user, account or job concerned.
    public var problems: [String]
    public var isConsistent: Bool { problems.isEmpty }
}
