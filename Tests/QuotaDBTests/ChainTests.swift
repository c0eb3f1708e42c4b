import Foundation
import Pricing
import Testing
@testable import QuotaDB

@Suite("Wallet chain and policies")
struct ChainTests {
    @Test func accountFirstThenWalletAndTheSplitIsRecorded() throws {
        let t = try TestStore()
        try t.store.limitedAccount("Math", soft: "8", hard: "10")
        try t.store.topUp(user: "alice", amount: eur("5"), reference: "pay-1", actor: "alice")
        let d = try t.store.authorize("j1", "alice", "12")
        let approval = try #require(d.approval)
        #expect(approval.reservation.accountPart == eur("10"))
        #expect(approval.reservation.walletPart == eur("2"))
        #expect(approval.reservation.isSplit)
        #expect(approval.balances.wallet == eur("3"))
        #expect(approval.balances.account?.remaining == eur("0"))
        #expect(approval.warnings.contains(.softLimitExceeded(account: "Math", used: eur("10"), softLimit: eur("8"), hardLimit: eur("10"))))
        let rows = try t.store.ledger(LedgerQuery(jobKey: "j1"))
        #expect(rows.map(\.kind) == [.reserve, .reserve])
        #expect(rows.map(\.account?.name) == ["Math", nil])
        #expect(rows.map(\.amount) == [eur("10"), eur("2")])
        try t.store.settle(jobKey: "j1", amount: nil, actor: "backend")
        #expect(try t.store.ledger(LedgerQuery(jobKey: "j1", kinds: [.debit])).map(\.amount) == [eur("10"), eur("2")])
        #expect(try t.store.check().isConsistent)
    }

    /// authorize, settle and cancel answer from what they wrote, without reading it back: the
    /// answers must be what the database then holds.
    @Test func whatAuthorizeSettleAndCancelAnswerIsWhatTheStoreHolds() throws {
        let t = try TestStore()
        try t.store.limitedAccount("Math", soft: "8", hard: "10")
        try t.store.topUp(user: "alice", amount: eur("5"), reference: nil, actor: "alice")
        let approval = try #require(try t.store.authorize("j1", "alice", "12").approval)
        #expect(try t.store.reservation(jobKey: "j1") == approval.reservation)
        let balances = try t.store.balances(for: "alice")
        #expect(approval.balances.wallet == balances.wallet)
        #expect(approval.balances.account == balances.accounts.first)
        let settled = try t.store.settle(jobKey: "j1", amount: eur("11"), actor: "backend")
        #expect(try t.store.reservation(jobKey: "j1") == settled)
        #expect(settled.walletPart == eur("1") && settled.accountPart == eur("10"), "the difference goes back to the wallet first")

        let second = try #require(try t.store.authorize("j2", "alice", "2").approval)
        #expect(try t.store.reservation(jobKey: "j2") == second.reservation)
        guard case .released(let released) = try t.store.cancel(jobKey: "j2", actor: "backend") else {
            Issue.record("a reserved job was not released"); return
        }
        #expect(try t.store.reservation(jobKey: "j2") == released)
        #expect(try t.store.wallet("alice") == eur("4"))
        #expect(try t.store.check().isConsistent)
    }

    @Test func coverRefusesWithShortfallAndBalances() throws {
        let t = try TestStore()
        try t.store.limitedAccount("Math", soft: "1", hard: "2")
        try t.store.topUp(user: "alice", amount: eur("1"), reference: nil, actor: "alice")
        let d = try t.store.authorize("j1", "alice", "3.50")
        let refusal = try #require(d.refusal)
        #expect(refusal.reason == .insufficientFunds)
        #expect(refusal.shortfall == eur("0.50"))
        #expect(refusal.balances.wallet == eur("1"))
        #expect(refusal.balances.account?.remaining == eur("2"))
        #expect(refusal.description.contains("top up at least 0.50 EUR"))
        #expect(try t.store.reservation(jobKey: "j1") == nil)
        #expect(try t.store.ledger(LedgerQuery()).count == 1)   // only the top-up
        #expect(try t.store.authorize("j1", "alice", "3").isApproved)   // exact funds pass
        #expect(try t.store.wallet("alice") == eur("0"))
    }

    @Test func hardLimitIsNeverExceededEvenWhenTracking() throws {
        let t = try TestStore()
        try t.store.limitedAccount("Math", soft: "5", hard: "5")
        let d = try t.store.authorize("j1", "alice", "8", .track)
        let approval = try #require(d.approval)
        #expect(approval.reservation.accountPart == eur("5"))
        #expect(approval.reservation.walletPart == eur("3"))
        #expect(approval.warnings.contains(.walletNegative(balance: eur("-3"))))
        #expect(try t.store.used("alice", on: "Math") == eur("5"))
        #expect(try t.store.wallet("alice") == eur("-3"))
        #expect(try t.store.authorize("j2", "alice", "1", .track).approval?.reservation.walletPart == eur("1"))
        #expect(try t.store.check().isConsistent)
    }

    @Test func positiveAllowsWhileAboveZeroAndMayGoNegative() throws {
        let t = try TestStore()
        try t.store.topUp(user: "alice", amount: eur("0.10"), reference: nil, actor: "alice")
        let first = try t.store.authorize("j1", "alice", "2", .positive)
        #expect(first.isApproved)
        #expect(try t.store.wallet("alice") == eur("-1.90"))
        let second = try #require(try t.store.authorize("j2", "alice", "0.10", .positive).refusal)
        #expect(second.reason == .balanceNotPositive)
        #expect(second.shortfall == eur("1.91"))
        #expect(try t.store.authorize("j3", "alice", "0", .cover).isApproved)   // free jobs always pass
        #expect(try t.store.check().isConsistent)
    }

    @Test func unlimitedAccountCoversEverything() throws {
        let t = try TestStore()
        _ = try t.store.addAccount(NewAccount(name: "Staff", code: "ST", access: .globalShared, allocation: .unlimited))
        let d = try t.store.authorize("j1", "alice", "1000")
        #expect(d.approval?.reservation.accountPart == eur("1000"))
        #expect(d.approval?.reservation.walletPart == eur("0"))
        #expect(try t.store.used("alice", on: "Staff") == eur("1000"))
        #expect(d.approval?.balances.account?.remaining == nil)
    }

    @Test func walletOnlyWhenNoAccountApplies() throws {
        let t = try TestStore()
        try t.store.topUp(user: "bob", amount: eur("1"), reference: nil, actor: "admin")
        let d = try t.store.authorize("j1", "bob", "0.40")
        #expect(d.approval?.reservation.account == nil)
        #expect(try t.store.wallet("bob") == eur("0.60"))
        #expect(try t.store.authorize("j2", "bob", "0.61").refusal?.shortfall == eur("0.01"))
    }

    @Test func otherCurrenciesAndNegativePricesAreRefused() throws {
        let t = try TestStore()
        #expect(throws: QuotaError.currencyMismatch(expected: "EUR", found: "points")) {
            _ = try t.store.authorize(AuthorizationRequest(jobKey: "j", user: "a", amount: Money(minorUnits: 1, currency: .points), policy: .cover))
        }
        #expect(throws: QuotaError.self) { _ = try t.store.authorize("j", "a", "-1") }
        #expect(throws: QuotaError.invalidUserName("")) { _ = try t.store.authorize("j", "", "1") }
    }
}
