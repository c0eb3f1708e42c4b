import Foundation
import Pricing

/// Who a scheduled credit is for.
public enum ScheduleTarget: Hashable, Sendable, Encodable, CustomStringConvertible {
    case user(String)
    /// Members of a local (database) or system (NSS) group.
    case group(String)
    /// Every user Tollgate knows (has seen print, or an admin added).
    case everyone

    public var description: String {
        switch self {
        case .user(let name): return "user \(name)"
        case .group(let name): return "group \(name)"
        case .everyone: return "everyone"
        }
    }
}

/// How often a scheduled credit applies. Periods are calendar periods in the store's time zone.
public enum SchedulePeriod: Hashable, Sendable, Encodable, CustomStringConvertible {
    case daily
    /// ISO weeks, Monday to Sunday.
    case weekly
    case monthly
    /// Once, on (or at the first run after) this instant.
    case once(Date)

    public var description: String {
        switch self {
        case .daily: return "daily"
        case .weekly: return "weekly"
        case .monthly: return "monthly"
        case .once(let date): return "once on \(date)"
        }
    }
}

/// A new scheduled credit, as an admin defines it.
public struct NewScheduledCredit: Hashable, Sendable {
    /// Unique (case-insensitive) name.
    public var name: String
    public var target: ScheduleTarget
    /// The personal wallet, or an account's allocation (name or code).
    public var destination: Destination
    public var mode: CreditMode
    /// Not negative.
    public var amount: Money
    public var period: SchedulePeriod
    /// The first period applied is the one containing this instant.
    public var startsAt: Date

    public init(name: String, target: ScheduleTarget, destination: Destination, mode: CreditMode, amount: Money,
                period: SchedulePeriod, startsAt: Date) {
        self.name = name
        self.target = target
        self.destination = destination
        self.mode = mode
        self.amount = amount
        self.period = period
        self.startsAt = startsAt
    }
}

/// A stored scheduled credit.
public struct ScheduledCredit: Hashable, Sendable, Encodable {
    public var id: Int64
    public var name: String
    public var target: ScheduleTarget
    /// `nil`: the personal wallet.
    public var account: AccountRef?
    public var mode: CreditMode
    public var amount: Money
    public var period: SchedulePeriod
    public var startsAt: Date
    public var isEnabled: Bool
    public var createdBy: String
    public var createdAt: Date
    /// The latest period applied to anyone, if any.
    public var lastPeriod: String?
}

/// What one run of the scheduled credits did.
///
/// Missed-period policy (``SQLQuotaStore/runSchedules(catchUp:actor:)``): a run applies the
/// current period of every enabled schedule. Periods that passed with no run at all are *missed*:
/// without `catchUp` they are only reported (an admin decides); with `catchUp`, `add` schedules
/// apply each missed period, oldest first, to users known before that period ended, while
/// `reset-to` schedules apply only the current period (resetting for a past period means nothing).
/// A period already applied to a user is never applied again.
public struct ScheduleRunReport: Hashable, Sendable, Encodable {
    public struct Applied: Hashable, Sendable, Encodable {
        public var schedule: String
        public var period: String
        public var user: String
        public var entry: LedgerEntry
    }
    public struct Missed: Hashable, Sendable, Encodable {
        public var schedule: String
        public var periods: [String]
    }
    public var applied: [Applied]
    /// (schedule, period, user) combinations skipped because they were applied before.
    public var alreadyApplied: Int
    /// Periods that were not applied (only reported when `catchUp` is off, or for reset-to schedules).
    public var missed: [Missed]
}
