import Foundation
import Testing
@testable import QuotaDB

/// All-time reports by user and account come from the usage totals; the same report over a
/// period that covers everything reads the ledger. Both must say the same, row for row.
@Suite struct UsageTotalsTests {
    /// Jobs split across an account and the wallet, a refund, a cancelled job, credits, an
    /// adjustment and top-ups, on two users and two accounts.
    private func busyStore() throws -> TestStore {
        let t = try TestStore()
        try t.store.limitedAccount("Math", soft: "5", hard: "5")
        try t.store.limitedAccount("Art", soft: "20", hard: "20")
        try t.store.topUp(user: "alice", amount: eur("5"), reference: nil, actor: "alice")
        try t.store.topUp(user: "bob", amount: eur("3"), reference: "pay-1", actor: "bob")
        _ = try t.store.authorize("j1", "alice", "7", account: "Math") // 5 on Math, 2 on the wallet
        try t.store.settle(jobKey: "j1", amount: nil, actor: "backend")
        _ = try t.store.authorize("j2", "bob", "1", account: "Art")
        try t.store.settle(jobKey: "j2", amount: nil, actor: "backend")
        try t.store.refund(jobKey: "j2", amount: eur("0.5"), reason: "jam", actor: "admin")
        _ = try t.store.authorize("j3", "alice", "1")
        _ = try t.store.cancel(jobKey: "j3", actor: "backend")          // reserved and released: no job
        _ = try t.store.authorize("j4", "bob", "2", account: "Art")
        try t.store.settle(jobKey: "j4", amount: eur("1.5"), actor: "backend")
        try t.store.credit(user: "alice", to: .account("Math"), amount: eur("2"), mode: .add, reason: "", actor: "admin")
        try t.store.credit(user: "carol", to: .wallet, amount: eur("4"), mode: .add, reason: "", actor: "admin")
        try t.store.adjust(user: "carol", on: .wallet, by: eur("-1"), reason: "misprint", actor: "admin")
        return t
    }

    @Test func allTimeReportsFromTheTotalsEqualTheLedgersReport() throws {
        let t = try busyStore()
        let everything = Date(timeIntervalSince1970: 0)   // a period: read from the ledger
        for grouping in [UsageGrouping.user, .account, .userAndAccount] {
            for (user, account) in [(nil, nil), ("alice", nil), (nil, "ART"), ("bob", "Art")] as [(String?, String?)] {
                let totals = try t.store.usageReport(UsageReportQuery(grouping: grouping, user: user, account: account))
                let ledger = try t.store.usageReport(UsageReportQuery(grouping: grouping, from: everything, user: user, account: account))
                #expect(totals == ledger, "\(grouping) user \(user ?? "-") account \(account ?? "-")")
            }
        }
        let perUser = try t.store.usageReport(UsageReportQuery(grouping: .user))
        #expect(perUser.map(\.user) == ["alice", "bob", "carol"])
        #expect(perUser.map(\.jobs) == [1, 2, 0], "j1 counts once although Math and the wallet paid it; j3 was cancelled")
        #expect(perUser.map(\.charged) == [eur("7"), eur("2.5"), eur("0")])
        #expect(perUser[2].credited == eur("3"))
        let perAccount = try t.store.usageReport(UsageReportQuery(grouping: .account))
        #expect(perAccount.map { $0.account?.name } == [nil, "Art", "Math"])
        #expect(perAccount.map(\.jobs) == [1, 2, 1])
        #expect(try t.store.check().isConsistent)
    }

    /// `tollgate check` re-derives the totals: a changed or missing row is reported.
    @Test func checkFindsTotalsThatDisagreeWithTheLedger() throws {
        let t = try busyStore()
        try t.execute("UPDATE usage_total SET charged = charged + 1 WHERE user_name = 'bob' AND account_key = 2")
        let problems = try t.store.verify().problems
        #expect(problems == ["usage totals of bob (account #2): charged 251 but the ledger says 250"], "\(problems)")
        try t.execute("DELETE FROM usage_total WHERE user_name = 'carol'")
        #expect(try t.store.verify().problems.contains("usage totals of carol (wallet): entries 0 but the ledger says 2, credited 0 but the ledger says 300"))
    }
}
