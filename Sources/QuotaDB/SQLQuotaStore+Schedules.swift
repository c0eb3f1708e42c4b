import Foundation
import Pricing

extension SQLQuotaStore {
    public func addSchedule(_ new: NewScheduledCredit) throws(QuotaError) -> ScheduledCredit {
        let value = try units(new.amount)
        guard value >= 0 else { throw .invalidSchedule("the amount cannot be negative (\(new.amount))") }
        let name = new.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw .invalidSchedule("the name is empty") }
        let (targetKind, target): (String, String)
        switch new.target {
        case .user(let user): try Self.checkUserName(user); (targetKind, target) = ("user", user)
        case .group(let group): (targetKind, target) = ("group", group)
        case .everyone: (targetKind, target) = ("everyone", "")
        }
        let (periodName, startsAt): (String, Date)
        switch new.period {
        case .daily: (periodName, startsAt) = ("daily", new.startsAt)
        case .weekly: (periodName, startsAt) = ("weekly", new.startsAt)
        case .monthly: (periodName, startsAt) = ("monthly", new.startsAt)
        case .once(let date): (periodName, startsAt) = ("once", date)
        }
        let at = now
        return try write { db in
            var accountID: AccountID?
            if case .account(let nameOrCode) = new.destination {
                let account = try findAccount(db, nameOrCode)
                if new.mode == .resetTo, account.allocation == .unlimited {
                    throw QuotaError.invalidSchedule("account \(account.name) is unlimited: reset-to has nothing to reset; use add")
                }
                accountID = account.id
            }
            if try db.value(Bool.self, sql: "SELECT 1 FROM schedule WHERE name = ?", arguments: [name]) == true {
                throw QuotaError.invalidSchedule("a scheduled credit named \"\(name)\" already exists")
            }
            let id = try db.value(Int64.self, sql: """
                INSERT INTO schedule(name, target_kind, target, account_id, mode, amount, period, starts_at, enabled, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id
                """, arguments: [name, targetKind, target, accountID, new.mode.rawValue, value, periodName,
                                 startsAt.unixMilliseconds, "admin", at.unixMilliseconds])
            return try loadSchedules(db, id: id!).first!
        }
    }

    public func schedules() throws(QuotaError) -> [ScheduledCredit] {
        try read { db in try loadSchedules(db, id: nil) }
    }

    public func setScheduleEnabled(_ name: String, _ enabled: Bool) throws(QuotaError) {
        try write { db in
            if try db.run(sql: "UPDATE schedule SET enabled = ? WHERE name = ?", arguments: [enabled, name]) == 0 { throw QuotaError.invalidSchedule("no scheduled credit named \"\(name)\"") }
        }
    }

    /// See ``ScheduleRunReport`` for the missed-period policy. One transaction for the whole run.
    public func runSchedules(catchUp: Bool, actor: String) throws(QuotaError) -> ScheduleRunReport {
        let at = now
        let periods = SchedulePeriods(timeZone: options.timeZone)
        return try write { db in
            var report = ScheduleRunReport(applied: [], alreadyApplied: 0, missed: [])
            for schedule in try loadSchedules(db, id: nil) where schedule.isEnabled {
                guard schedule.startsAt <= at else { continue }
                // Periods from the first one (or the one after the last applied) up to the current one.
                var due: [(key: String, end: Date)] = []
                if case .once = schedule.period {
                    due = [("once", .distantFuture)]
                } else {
                    let current = periods.start(of: at, schedule.period)
                    var cursor = periods.start(of: schedule.startsAt, schedule.period)
                    let last = schedule.lastPeriod
                    var guardCount = 0
                    while cursor <= current && guardCount < 5_000 {
                        let key = periods.key(of: cursor, schedule.period)
                        let end = periods.next(after: cursor, schedule.period)
                        if last == nil || key > last! || cursor == current { due.append((key, end)) }
                        cursor = end
                        guardCount += 1
                    }
                }
                guard let currentPeriod = due.last else { continue }
                let past = due.dropLast()
                let applyPast = catchUp && schedule.mode == .add
                if !past.isEmpty && !applyPast {
                    report.missed.append(.init(schedule: schedule.name, periods: past.map(\.key)))
                }
                let toApply = applyPast ? Array(due) : [currentPeriod]
                let users = try targetUsers(db, schedule.target)
                for period in toApply {
                    for user in users {
                        let isPast = period.key != currentPeriod.key
                        if isPast, let created = try db.value(Int64.self, sql: "SELECT created_at FROM \"user\" WHERE name = ?", arguments: [user]),
                           created >= period.end.unixMilliseconds {
                            continue                               // not a user yet during that period
                        }
                        if try db.value(Bool.self, sql: "SELECT 1 FROM schedule_run WHERE schedule_id = ? AND period = ? AND user_name = ?",
                                             arguments: [schedule.id, period.key, user]) == true {
                            report.alreadyApplied += 1
                            continue
                        }
                        try ensureUser(db, user, at: at)
                        let destination: Destination = schedule.account.map { .account($0.name) } ?? .wallet
                        let id = try applyCredit(db, user: user, destination: destination, value: schedule.amount.minorUnits,
                                                 mode: schedule.mode, reason: "scheduled credit \(schedule.name) for \(period.key)",
                                                 actor: actor, reference: "schedule:\(schedule.id):\(period.key)", at: at)
                        try db.run(sql: "INSERT INTO schedule_run(schedule_id, period, user_name, ledger_id, applied_at) VALUES (?, ?, ?, ?, ?)",
                                       arguments: [schedule.id, period.key, user, id, at.unixMilliseconds])
                        report.applied.append(.init(schedule: schedule.name, period: period.key, user: user, entry: try ledgerEntry(db, id: id)))
                    }
                }
            }
            return report
        }
    }

    /// The users a schedule credits now: one user, a group's local and system members (plus known
    /// users NSS puts in the group), or every known user.
    func targetUsers(_ db: any SQLSession, _ target: ScheduleTarget) throws -> [String] {
        switch target {
        case .user(let name):
            return [name]
        case .everyone:
            return try db.values(String.self, sql: "SELECT name FROM \"user\" ORDER BY name")
        case .group(let group):
            var members = Set(try db.values(String.self, sql: "SELECT user_name FROM local_group_member WHERE group_name = ?", arguments: [group]))
            members.formUnion(options.systemGroups.members(of: group))
            for user in try db.values(String.self, sql: "SELECT name FROM \"user\"") where !members.contains(user) {
                if options.systemGroups.groups(of: user).contains(group) { members.insert(user) }
            }
            return members.sorted()
        }
    }

    func loadSchedules(_ db: any SQLSession, id: Int64?) throws -> [ScheduledCredit] {
        let rows = try db.rows(sql: """
            SELECT s.*, a.name AS account_name, a.code AS account_code,
                   (SELECT MAX(period) FROM schedule_run r WHERE r.schedule_id = s.id) AS last_period
            FROM schedule s LEFT JOIN account a ON a.id = s.account_id
            \(id == nil ? "" : "WHERE s.id = \(id!)") ORDER BY s.name
            """)
        return rows.map { row in
            let targetKind: String = row["target_kind"]
            let target: String = row["target"]
            let startsAt = Date(unixMilliseconds: row["starts_at"])
            let period: SchedulePeriod
            switch row["period"] as String {
            case "daily": period = .daily
            case "weekly": period = .weekly
            case "monthly": period = .monthly
            default: period = .once(startsAt)
            }
            let accountID: Int64? = row["account_id"]
            return ScheduledCredit(
                id: row["id"], name: row["name"],
                target: targetKind == "user" ? .user(target) : targetKind == "group" ? .group(target) : .everyone,
                account: accountID.map { AccountRef(id: $0, name: row["account_name"], code: row["account_code"]) },
                mode: CreditMode(rawValue: row["mode"]) ?? .add, amount: money(row["amount"]), period: period,
                startsAt: startsAt, isEnabled: row["enabled"], createdBy: row["created_by"],
                createdAt: Date(unixMilliseconds: row["created_at"]), lastPeriod: row["last_period"])
        }
    }
}
