import Foundation
import Pricing
import Testing
@testable import QuotaDB

@Suite("Scheduled credits")
struct ScheduleTests {
    static let day: TimeInterval = 86_400
    /// 2026-11-02 09:00 UTC, a Monday.
    static let monday = Date(timeIntervalSince1970: 1_793_610_000 - 1_793_610_000.truncatingRemainder(dividingBy: 86_400) + 9 * 3600)

    @Test func samePeriodTwiceDoesNothing() throws {
        let t = try TestStore()
        t.clock.set(Self.monday)
        try t.store.addUser("alice")
        try t.store.addUser("bob")
        _ = try t.store.addSchedule(NewScheduledCredit(name: "daily", target: .everyone, destination: .wallet, mode: .add,
                                                       amount: eur("1"), period: .daily, startsAt: Self.monday))
        let first = try t.store.runSchedules(catchUp: false, actor: "cron")
        #expect(first.applied.count == 2)
        let second = try t.store.runSchedules(catchUp: false, actor: "cron")
        #expect(second.applied.isEmpty)
        #expect(second.alreadyApplied == 2)
        #expect(try t.store.wallet("alice") == eur("1"))
        t.clock.advance(Self.day)
        #expect(try t.store.runSchedules(catchUp: false, actor: "cron").applied.map(\.period) == ["2026-11-03", "2026-11-03"])
        #expect(try t.store.wallet("bob") == eur("2"))
        #expect(try t.store.check().isConsistent)
    }

    @Test func missedPeriodsAreReportedOrCaughtUp() throws {
        let t = try TestStore()
        t.clock.set(Self.monday)
        try t.store.addUser("alice")
        _ = try t.store.addSchedule(NewScheduledCredit(name: "d", target: .user("alice"), destination: .wallet, mode: .add,
                                                       amount: eur("1"), period: .daily, startsAt: Self.monday))
        _ = try t.store.runSchedules(catchUp: false, actor: "cron")
        t.clock.advance(3 * Self.day)                             // Tue and Wed were missed
        let report = try t.store.runSchedules(catchUp: false, actor: "cron")
        #expect(report.missed == [.init(schedule: "d", periods: ["2026-11-03", "2026-11-04"])])
        #expect(report.applied.map(\.period) == ["2026-11-05"])
        #expect(try t.store.wallet("alice") == eur("2"))
        // A later catch-up run applies them, once.
        let caught = try t.store.runSchedules(catchUp: true, actor: "cron")
        #expect(caught.applied.isEmpty)     // nothing after the last applied period (the missed ones lie before it)
        t.clock.advance(2 * Self.day)
        let caughtUp = try t.store.runSchedules(catchUp: true, actor: "cron")
        #expect(caughtUp.applied.map(\.period) == ["2026-11-06", "2026-11-07"])
        #expect(caughtUp.missed.isEmpty)
        #expect(try t.store.wallet("alice") == eur("4"))
    }

    @Test func weeklyResetToAnAccountAllocationForAGroup() throws {
        let t = try TestStore(groups: ["carol": ["students"]])
        t.clock.set(Self.monday)
        try t.store.limitedAccount("Lab", soft: "4", hard: "5")
        try t.store.addGroup("students")
        try t.store.addMember("alice", toGroup: "students")
        try t.store.addUser("carol")
        try t.store.addUser("dave")
        _ = try t.store.authorize("j1", "alice", "3")
        _ = try t.store.addSchedule(NewScheduledCredit(name: "weekly", target: .group("students"), destination: .account("Lab"),
                                                       mode: .resetTo, amount: eur("5"), period: .weekly, startsAt: Self.monday))
        let run = try t.store.runSchedules(catchUp: true, actor: "cron")
        #expect(run.applied.map(\.user) == ["alice", "carol"])
        #expect(run.applied.first?.period == "2026-W45")
        #expect(try t.store.used("alice", on: "Lab") == eur("0"))
        t.clock.advance(2 * Self.day)
        #expect(try t.store.runSchedules(catchUp: true, actor: "cron").applied.isEmpty)
        #expect(try t.store.check().isConsistent)
    }

    @Test func onceAppliesOnItsDateOnly() throws {
        let t = try TestStore()
        t.clock.set(Self.monday)
        try t.store.addUser("alice")
        _ = try t.store.addSchedule(NewScheduledCredit(name: "welcome", target: .user("alice"), destination: .wallet, mode: .add,
                                                       amount: eur("3"), period: .once(Self.monday + Self.day), startsAt: Self.monday))
        #expect(try t.store.runSchedules(catchUp: false, actor: "cron").applied.isEmpty)
        t.clock.advance(Self.day)
        #expect(try t.store.runSchedules(catchUp: false, actor: "cron").applied.count == 1)
        t.clock.advance(40 * Self.day)
        #expect(try t.store.runSchedules(catchUp: true, actor: "cron").applied.isEmpty)
        #expect(try t.store.wallet("alice") == eur("3"))
    }

    @Test func invalidSchedulesAreRefused() throws {
        let t = try TestStore()
        _ = try t.store.addAccount(NewAccount(name: "Free", code: "F"))
        #expect(throws: QuotaError.self) {
            _ = try t.store.addSchedule(NewScheduledCredit(name: "x", target: .everyone, destination: .account("Free"), mode: .resetTo,
                                                           amount: eur("1"), period: .daily, startsAt: t.clock.now))
        }
        #expect(throws: QuotaError.accountNotFound("Nope")) {
            _ = try t.store.addSchedule(NewScheduledCredit(name: "x", target: .everyone, destination: .account("Nope"), mode: .add,
                                                           amount: eur("1"), period: .daily, startsAt: t.clock.now))
        }
    }
}
