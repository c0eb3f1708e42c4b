import Foundation
import Pricing
import Testing
@testable import QuotaDB

/// Vouchers in the store: once each, into the redeemer's wallet, never after a void or expiry,
/// and wrong codes slow down only the user who types them.
struct VoucherStoreTests {
    static func hash(_ n: UInt8) -> Data { Data(repeating: n, count: 32) }

    @Test func aVoucherTopsUpOnceIntoTheRedeemersWallet() throws {
        let t = try TestStore()
        let batch = try t.store.addVoucherBatch(value: eur("5.00"), codeHashes: [Self.hash(1), Self.hash(2)], expiresAt: nil, actor: "desk")
        #expect(batch.count == 2 && batch.redeemed == 0)
        let entry = try t.store.redeemVoucher(codeHash: Self.hash(1), user: "alice", actor: "alice via cli")
        #expect(entry.kind == .topUp && entry.amount == eur("5.00") && entry.user == "alice")
        #expect(try t.store.balances(for: "alice").wallet == eur("5.00"))
        #expect(throws: QuotaError.voucherUsed(at: t.clock.now)) {
            try t.store.redeemVoucher(codeHash: Self.hash(1), user: "bob", actor: "bob via cli")
        }
        #expect(try t.store.balances(for: "bob").wallet == eur("0.00"), "a used code gives nothing to anyone")
        #expect(try t.store.voucherBatches().first?.redeemed == 1)
        _ = try t.store.check()
    }

    @Test func voidedAndExpiredVouchersMoveNothing() throws {
        let t = try TestStore()
        let voided = try t.store.addVoucherBatch(value: eur("2.00"), codeHashes: [Self.hash(3)], expiresAt: nil, actor: "desk")
        try t.store.voidVoucherBatch(voided.id, actor: "desk")
        _ = try t.store.addVoucherBatch(value: eur("2.00"), codeHashes: [Self.hash(4)], expiresAt: t.clock.now.addingTimeInterval(60), actor: "desk")
        do {
            _ = try t.store.redeemVoucher(codeHash: Self.hash(3), user: "alice", actor: "alice")
            Issue.record("a voided voucher was redeemed")
        } catch { guard case .voucherNotValid(let why) = error, why.contains("voided") else { Issue.record("\(error)"); return } }
        t.clock.advance(61)
        do {
            _ = try t.store.redeemVoucher(codeHash: Self.hash(4), user: "alice", actor: "alice")
            Issue.record("an expired voucher was redeemed")
        } catch { guard case .voucherNotValid(let why) = error, why.contains("expired") else { Issue.record("\(error)"); return } }
        #expect(try t.store.ledger(LedgerQuery(user: "alice")).isEmpty)
        #expect(throws: QuotaError.voucherBatchNotFound(99)) { try t.store.voidVoucherBatch(99, actor: "desk") }
    }

    @Test func wrongCodesSlowDownOnlyTheirOwnUser() throws {
        let t = try TestStore()
        _ = try t.store.addVoucherBatch(value: eur("1.00"), codeHashes: [Self.hash(5), Self.hash(6)], expiresAt: nil, actor: "desk")
        for n in 0..<voucherAttemptLimit {
            #expect(throws: QuotaError.voucherUnknown) { try t.store.redeemVoucher(codeHash: Self.hash(100 + UInt8(n)), user: "mallory", actor: "m") }
        }
        // Now even a right code waits: guessing gets no further.
        do {
            _ = try t.store.redeemVoucher(codeHash: Self.hash(5), user: "mallory", actor: "m")
            Issue.record("no limit after \(voucherAttemptLimit) wrong codes")
        } catch { guard case .voucherAttemptsExceeded = error else { Issue.record("\(error)"); return } }
        // Another user is not held up by mallory's tries.
        #expect(try t.store.redeemVoucher(codeHash: Self.hash(6), user: "alice", actor: "a").amount == eur("1.00"))
        t.clock.advance(voucherAttemptWindow + 1)
        #expect(try t.store.redeemVoucher(codeHash: Self.hash(5), user: "mallory", actor: "m").amount == eur("1.00"), "the window passed")
    }
}
