import Foundation
import Pricing
import Testing
@testable import QuotaDB

@Suite("Active account")
struct ActiveAccountTests {
    @Test func initiallyFirstAccessibleAlphabeticallyThenMostRecentlyUsed() throws {
        let t = try TestStore()
        _ = try t.store.addAccount(NewAccount(name: "Science", code: "S", access: .globalShared))
        _ = try t.store.addAccount(NewAccount(name: "Library", code: "L", access: .globalShared))
        _ = try t.store.addAccount(NewAccount(name: "Admin", code: "A"))          // no access for alice
        #expect(try t.store.activeAccount(for: "alice").account?.name == "Library")
        #expect(try t.store.activeAccount(for: "alice").source == .initial)
        #expect(try t.store.authorize("j1", "alice", "1").approval?.reservation.account?.name == "Library")
        #expect(try t.store.authorize("j2", "alice", "1", account: "Science").approval?.reservation.account?.name == "Science")
        // The job's own choice made Science the most recently used, hence active.
        #expect(try t.store.activeAccount(for: "alice").account?.name == "Science")
        #expect(try t.store.authorize("j3", "alice", "1").approval?.reservation.account?.name == "Science")
    }

    @Test func userOrAdminSetsItOnlyToAUsableAccount() throws {
        let t = try TestStore()
        _ = try t.store.addAccount(NewAccount(name: "Library", code: "L", access: .globalShared))
        _ = try t.store.addAccount(NewAccount(name: "Science", code: "S", access: .globalShared))
        _ = try t.store.addAccount(NewAccount(name: "Secret", code: "X"))
        let active = try t.store.setActiveAccount("S", for: "alice", by: .user)
        #expect(active.account?.name == "Science")
        guard case .chosen(.user, _) = active.source else { Issue.record("\(active.source)"); return }
        #expect(throws: QuotaError.accountNotUsable(account: "Secret", user: "alice", reason: .noAccess)) {
            _ = try t.store.setActiveAccount("Secret", for: "alice", by: .admin)
        }
        // Wallet only.
        _ = try t.store.setActiveAccount(nil, for: "alice", by: .user)
        try t.store.topUp(user: "alice", amount: eur("2"), reference: nil, actor: "alice")
        let d = try t.store.authorize("j", "alice", "1")
        #expect(d.approval?.reservation.account == nil)
        #expect(d.approval?.reservation.walletPart == eur("1"))
    }

    @Test func losingAccessToTheActiveAccountRefusesStrictly() throws {
        let t = try TestStore()
        _ = try t.store.addAccount(NewAccount(name: "Lab", code: "LAB"))
        _ = try t.store.addAccount(NewAccount(name: "Other", code: "O", access: .globalShared))
        try t.store.grant(.user("alice"), on: "Lab")
        _ = try t.store.setActiveAccount("Lab", for: "alice", by: .user)
        #expect(try t.store.authorize("j1", "alice", "1").isApproved)
        try t.store.revoke(.user("alice"), on: "Lab")
        let refused = try t.store.authorize("j2", "alice", "1")
        guard case .accountNotUsable("Lab", .noAccess, true, ["Other"]) = refused.refusal?.reason else {
            Issue.record("\(refused)"); return
        }
        #expect(refused.refusal!.description.contains("tollgate active set"))
        #expect(try t.store.activeAccount(for: "alice").unusable == .noAccess)
        _ = try t.store.setActiveAccount("Other", for: "alice", by: .user)
        #expect(try t.store.authorize("j2", "alice", "1").isApproved)
    }
}
