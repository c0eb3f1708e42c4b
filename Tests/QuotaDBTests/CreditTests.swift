import Foundation
import Pricing
import Testing
@testable import QuotaDB

@Suite("Manual credits, top-ups and adjustments")
struct CreditTests {
    @Test func pharosCreditOfUsedPointsLowersUsage() throws {
        let t = try TestStore(currency: .points)
        _ = try t.store.addAccount(NewAccount(name: "Math", code: "M", access: .globalShared,
                                              allocation: .limited(soft: Money(minorUnits: 200, currency: .points),
                                                                   hard: Money(minorUnits: 250, currency: .points))))
        _ = try t.store.authorize("j1", "alice", "210 points")
        try t.store.settle(jobKey: "j1", amount: nil, actor: "backend")
        // Pharos's example: 210/200 used, a credit of 120 (their amount -120) leaves 90 used.
        let entry = try t.store.credit(user: "alice", to: .account("Math"), amount: Money(minorUnits: 120, currency: .points),
                                       mode: .add, reason: "over by 10", actor: "admin")
        #expect(entry.kind == .credit)
        #expect(entry.balanceEffect.minorUnits == 120)
        #expect(try t.store.used("alice", on: "Math")?.minorUnits == 90)
        #expect(try t.store.check().isConsistent)
    }

    @Test func resetToSetsTheBalanceOrTheRemainingAllocation() throws {
        let t = try TestStore()
        try t.store.limitedAccount("Math", soft: "8", hard: "10")
        _ = try t.store.authorize("j1", "alice", "7")
        try t.store.credit(user: "alice", to: .account("Math"), amount: eur("10"), mode: .resetTo, reason: "", actor: "admin")
        #expect(try t.store.used("alice", on: "Math") == eur("0"))
        try t.store.topUp(user: "alice", amount: eur("3"), reference: nil, actor: "alice")
        try t.store.credit(user: "alice", to: .wallet, amount: eur("20"), mode: .resetTo, reason: "term start", actor: "admin")
        #expect(try t.store.wallet("alice") == eur("20"))
        try t.store.credit(user: "alice", to: .wallet, amount: eur("1.25"), mode: .add, reason: "", actor: "admin")
        #expect(try t.store.wallet("alice") == eur("21.25"))
        _ = try t.store.addAccount(NewAccount(name: "Free", code: "F", access: .globalShared))
        #expect(throws: QuotaError.self) {
            try t.store.credit(user: "alice", to: .account("Free"), amount: eur("1"), mode: .resetTo, reason: "", actor: "admin")
        }
        #expect(throws: QuotaError.self) {
            try t.store.credit(user: "alice", to: .wallet, amount: eur("-1"), mode: .add, reason: "", actor: "admin")
        }
        #expect(try t.store.check().isConsistent)
    }

    @Test func adjustmentsAreSignedAndNeedAReason() throws {
        let t = try TestStore()
        try t.store.adjust(user: "alice", on: .wallet, by: eur("-2"), reason: "printer misuse", actor: "admin")
        #expect(try t.store.wallet("alice") == eur("-2"))
        #expect(throws: QuotaError.self) { try t.store.adjust(user: "alice", on: .wallet, by: eur("1"), reason: "", actor: "admin") }
        #expect(try t.store.check().isConsistent)
    }
}
