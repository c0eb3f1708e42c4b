import Foundation
import Pricing
import Testing
@testable import QuotaDB

@Suite("Idempotency of the job calls")
struct IdempotencyTests {
    @Test func repeatedAuthorizeReturnsTheExistingReservation() throws {
        let t = try TestStore()
        try t.store.topUp(user: "alice", amount: eur("5"), reference: nil, actor: "alice")
        let first = try #require(try t.store.authorize("j1", "alice", "2").approval)
        let again = try #require(try t.store.authorize("j1", "alice", "2").approval)
        #expect(!first.isRepeat)
        #expect(again.isRepeat)
        #expect(again.reservation == first.reservation)
        #expect(try t.store.wallet("alice") == eur("3"))
        // Even with another price: the job key decides.
        #expect(try t.store.authorize("j1", "alice", "4").approval?.isRepeat == true)
        try t.store.settle(jobKey: "j1", amount: nil, actor: "backend")
        #expect(try t.store.authorize("j1", "alice", "2").approval?.isRepeat == true)
        #expect(try t.store.wallet("alice") == eur("3"))
        #expect(try t.store.check().isConsistent)
    }

    @Test func settleTwiceIsOnceAndCancelAfterSettleIsRefused() throws {
        let t = try TestStore()
        try t.store.topUp(user: "alice", amount: eur("5"), reference: nil, actor: "alice")
        _ = try t.store.authorize("j1", "alice", "2")
        let settled = try t.store.settle(jobKey: "j1", amount: nil, actor: "backend")
        #expect(settled.state == .settled)
        #expect(try t.store.settle(jobKey: "j1", amount: nil, actor: "backend") == settled)
        #expect(try t.store.ledger(LedgerQuery(jobKey: "j1", kinds: [.debit])).count == 1)
        #expect(throws: QuotaError.alreadySettled(jobKey: "j1")) { try t.store.cancel(jobKey: "j1", actor: "backend") }
        #expect(throws: QuotaError.unknownJob(jobKey: "nope")) { try t.store.settle(jobKey: "nope", amount: nil, actor: "backend") }
        #expect(try t.store.wallet("alice") == eur("3"))
    }

    @Test func cancelTwiceReleasesOnceAndSettleAfterCancelIsRefused() throws {
        let t = try TestStore()
        try t.store.limitedAccount("Math", soft: "1", hard: "1")
        try t.store.topUp(user: "alice", amount: eur("5"), reference: nil, actor: "alice")
        _ = try t.store.authorize("j1", "alice", "3")
        guard case .released(let r) = try t.store.cancel(jobKey: "j1", actor: "backend") else { Issue.record("not released"); return }
        #expect(r.state == .released)
        guard case .alreadyReleased = try t.store.cancel(jobKey: "j1", actor: "backend") else { Issue.record("second cancel"); return }
        #expect(try t.store.cancel(jobKey: "never", actor: "backend") == .nothingReserved)
        #expect(throws: QuotaError.alreadyReleased(jobKey: "j1")) { try t.store.settle(jobKey: "j1", amount: nil, actor: "backend") }
        #expect(try t.store.wallet("alice") == eur("5"))
        #expect(try t.store.used("alice", on: "Math") == eur("0"))
        #expect(try t.store.ledger(LedgerQuery(jobKey: "j1", kinds: [.release])).count == 2)
        // Re-run after release (cupsd retries the job): a fresh reservation.
        let rerun = try #require(try t.store.authorize("j1", "alice", "3").approval)
        #expect(!rerun.isRepeat)
        #expect(try t.store.wallet("alice") == eur("3"))
        #expect(try t.store.check().isConsistent)
    }

    @Test func partialSettleReleasesTheRestWalletFirst() throws {
        let t = try TestStore()
        try t.store.limitedAccount("Math", soft: "2", hard: "2")
        try t.store.topUp(user: "alice", amount: eur("5"), reference: nil, actor: "alice")
        _ = try t.store.authorize("j1", "alice", "4")           // account 2 + wallet 2
        let r = try t.store.settle(jobKey: "j1", amount: eur("1.50"), actor: "backend")
        #expect(r.walletPart == eur("0"))
        #expect(r.accountPart == eur("1.50"))
        #expect(try t.store.wallet("alice") == eur("5"))
        #expect(try t.store.used("alice", on: "Math") == eur("1.50"))
        #expect(throws: QuotaError.self) {
            _ = try t.store.authorize("j2", "alice", "1"); try t.store.settle(jobKey: "j2", amount: eur("2"), actor: "b")
        }
        #expect(try t.store.check().isConsistent)
    }

    @Test func refundIsATargetSoRepeatingItChangesNothing() throws {
        let t = try TestStore()
        try t.store.limitedAccount("Math", soft: "2", hard: "2")
        try t.store.topUp(user: "alice", amount: eur("5"), reference: nil, actor: "alice")
        _ = try t.store.authorize("j1", "alice", "4")           // account 2 + wallet 2
        #expect(throws: QuotaError.notSettled(jobKey: "j1")) { try t.store.refund(jobKey: "j1", amount: eur("1"), reason: "", actor: "admin") }
        try t.store.settle(jobKey: "j1", amount: nil, actor: "backend")
        var r = try t.store.refund(jobKey: "j1", amount: eur("1"), reason: "jam", actor: "admin")
        #expect(r.refunded == eur("1"))
        r = try t.store.refund(jobKey: "j1", amount: eur("1"), reason: "jam", actor: "admin")
        #expect(r.refunded == eur("1"))
        #expect(try t.store.wallet("alice") == eur("4"))            // wallet refunded first
        r = try t.store.refund(jobKey: "j1", amount: eur("3"), reason: "jam", actor: "admin")
        #expect(try t.store.wallet("alice") == eur("5"))
        #expect(try t.store.used("alice", on: "Math") == eur("1"))
        #expect(throws: QuotaError.self) { try t.store.refund(jobKey: "j1", amount: eur("4.01"), reason: "", actor: "admin") }
        #expect(try t.store.ledger(LedgerQuery(jobKey: "j1", kinds: [.refund])).count == 3)
        #expect(try t.store.check().isConsistent)
    }

    @Test func topUpReferenceIsCreditedOnce() throws {
        let t = try TestStore()
        let a = try t.store.topUp(user: "alice", amount: eur("10"), reference: "paybox-77", actor: "paybox")
        let b = try t.store.topUp(user: "alice", amount: eur("10"), reference: "paybox-77", actor: "paybox")
        #expect(a == b)
        #expect(try t.store.wallet("alice") == eur("10"))
        #expect(throws: QuotaError.referenceConflict(reference: "paybox-77")) {
            try t.store.topUp(user: "bob", amount: eur("10"), reference: "paybox-77", actor: "paybox")
        }
        #expect(throws: QuotaError.self) { try t.store.topUp(user: "bob", amount: eur("0"), reference: nil, actor: "x") }
    }
}
