import Foundation
import GRDB
import Pricing
import Testing
@testable import QuotaDB

@Suite("Ledger: append-only, re-derivation, reports")
struct LedgerTests {
    @Test func updatesAndDeletesAreRejectedByTheDatabase() throws {
        let t = try TestStore()
        try t.store.topUp(user: "alice", amount: eur("5"), reference: nil, actor: "alice")
        #expect(throws: (any Error).self) { try t.execute("UPDATE ledger SET amount = 1") }
        #expect(throws: (any Error).self) { try t.execute("DELETE FROM ledger") }
        #expect(try t.store.ledger(LedgerQuery()).count == 1)
    }

    @Test func checkFailsLoudlyOnDrift() throws {
        let t = try TestStore()
        try t.store.limitedAccount("Math", soft: "5", hard: "5")
        try t.store.topUp(user: "alice", amount: eur("5"), reference: nil, actor: "alice")
        _ = try t.store.authorize("j1", "alice", "7")
        let report = try t.store.check()
        #expect(report.ledgerRows == 3)
        #expect(report.reservations == 1)
        try t.execute("UPDATE \"user\" SET wallet_balance = wallet_balance + 100 WHERE name = 'alice'")
        let problems = driftProblems(t.store)
        #expect(problems.contains { $0.contains("alice") && $0.contains("wallet") })
        try t.execute("UPDATE \"user\" SET wallet_balance = wallet_balance - 100 WHERE name = 'alice'")
        try t.execute("UPDATE reservation SET wallet_part = 1")
        let jobProblems = try t.store.verify().problems
        #expect(jobProblems.contains { $0.contains("job j1") })
        try t.execute("UPDATE reservation SET wallet_part = 200")
        let trigger = TestEngine.isSQLite ? "ledger_no_delete" : "ledger_append_only"
        try t.execute(TestEngine.isSQLite ? "DROP TRIGGER \(trigger)" : "DROP TRIGGER \(trigger) ON ledger")
        #expect(try t.store.verify().problems == ["the append-only trigger \(trigger) is missing: the ledger can be rewritten"])
    }

    @Test func ledgerQueriesAndUsageReport() throws {
        let t = try TestStore()
        try t.store.limitedAccount("Math", soft: "5", hard: "5")
        try t.store.topUp(user: "alice", amount: eur("5"), reference: nil, actor: "alice")
        _ = try t.store.authorize("j1", "alice", "7")
        try t.store.settle(jobKey: "j1", amount: nil, actor: "backend")
        t.clock.advance(10)
        _ = try t.store.authorize("j2", "bob", "1")
        try t.store.settle(jobKey: "j2", amount: nil, actor: "backend")
        try t.store.refund(jobKey: "j2", amount: eur("0.5"), reason: "", actor: "admin")

        #expect(try t.store.ledger(LedgerQuery(user: "alice")).count == 5)
        #expect(try t.store.ledger(LedgerQuery(account: "MATH")).count == 5)
        #expect(try t.store.ledger(LedgerQuery(walletOnly: true, kinds: [.topUp])).count == 1)
        #expect(try t.store.ledger(LedgerQuery(from: t.clock.now)).count == 3)

        let perUser = try t.store.usageReport(UsageReportQuery(grouping: .user))
        #expect(perUser.map(\.user) == ["alice", "bob"])
        #expect(perUser[0].charged == eur("7"))
        #expect(perUser[0].jobs == 1)
        #expect(perUser[0].toppedUp == eur("5"))
        #expect(perUser[1].net == eur("4.50") - eur("4"))
        let perAccount = try t.store.usageReport(UsageReportQuery(grouping: .account))
        #expect(perAccount.count == 2)
        #expect(perAccount.first { $0.account?.name == "Math" }?.charged == eur("6"))
        #expect(try t.store.check().isConsistent)
    }

    /// Usage by queue and by application: what the backend recorded with each job's reservation;
    /// credits and top-ups belong to no job and do not count there.
    @Test func usageByQueueAndApplication() throws {
        let t = try TestStore()
        try t.store.topUp(user: "alice", amount: eur("10"), reference: nil, actor: "alice")
        for (key, queue, app, price) in [("j1", "lab", "LibreOffice", "1"), ("j2", "lab", "Chrome", "2"), ("j3", "library", "LibreOffice", "4")] {
            _ = try t.store.authorize(AuthorizationRequest(jobKey: key, user: "alice", amount: eur(price), policy: .cover,
                                                           queue: queue, application: app))
            try t.store.settle(jobKey: key, amount: nil, actor: "backend")
        }
        try t.store.refund(jobKey: "j3", amount: eur("1"), reason: "jam", actor: "admin")
        let perQueue = try t.store.usageReport(UsageReportQuery(grouping: .queue))
        #expect(perQueue.map(\.queue) == ["lab", "library"])
        #expect(perQueue.map(\.jobs) == [2, 1])
        #expect(perQueue.map(\.charged) == [eur("3"), eur("4")])
        #expect(perQueue[1].refunded == eur("1"))
        #expect(perQueue.allSatisfy { $0.toppedUp == eur("0") && $0.user == nil }, "the top-up is no queue's")
        let perApplication = try t.store.usageReport(UsageReportQuery(grouping: .application))
        #expect(perApplication.map(\.application) == ["Chrome", "LibreOffice"])
        #expect(perApplication.map(\.charged) == [eur("2"), eur("5")])
    }
}

private func - (a: Money, b: Money) -> Money { try! a.subtracting(b) }

/// The problems `check()` throws, or none.
private func driftProblems(_ store: SQLQuotaStore) -> [String] {
    let result: Result<CheckReport, QuotaError> = Result { () throws(QuotaError) -> CheckReport in try store.check() }
    guard case .failure(.ledgerDrift(let problems)) = result else { return [] }
    return problems
}
