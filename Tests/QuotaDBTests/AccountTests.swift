import Foundation
import Pricing
import Testing
@testable import QuotaDB

@Suite("Accounts: uniqueness, dates, archive, access")
struct AccountTests {
    @Test func namesAndCodesAreUniqueCaseInsensitively() throws {
        let t = try TestStore()
        _ = try t.store.addAccount(NewAccount(name: "Math", code: "M01"))
        #expect(throws: QuotaError.accountExists(field: "name", value: "math")) {
            _ = try t.store.addAccount(NewAccount(name: "math", code: "M02"))
        }
        #expect(throws: QuotaError.accountExists(field: "code", value: "m01")) {
            _ = try t.store.addAccount(NewAccount(name: "Physics", code: "m01"))
        }
        #expect(try t.store.account("m01").name == "Math")
        #expect(throws: QuotaError.accountNotFound("Nope")) { _ = try t.store.account("Nope") }
    }

    /// Found by the API's schemathesis run: a name starting with NUL failed the database's own
    /// check (SQLite's length() stops at NUL) and came back as "database unavailable" (503).
    @Test func namesAndCodesWithControlCharactersAreRefusedAsInvalid() throws {
        let t = try TestStore()
        for (name, code) in [("\u{0}Math", "M01"), ("Ma\u{0}th", "M01"), ("Math", "M\u{1}01"), ("Ma\nth", "M01")] {
            #expect(throws: QuotaError.self) { _ = try t.store.addAccount(NewAccount(name: name, code: code)) }
            do { _ = try t.store.addAccount(NewAccount(name: name, code: code)) } catch {
                guard case .invalidAccount(let why) = error else { Issue.record("\(name.debugDescription): \(error)"); continue }
                #expect(why.contains("control character"), "\(why)")
            }
        }
        #expect(try t.store.accounts(includeArchived: true).isEmpty)
        _ = try t.store.addAccount(NewAccount(name: "Math", code: "M01"))
        #expect(throws: QuotaError.invalidAccount("the name contains a control character")) {
            _ = try t.store.editAccount("Math", AccountChanges(name: "Ma\u{7}th"))
        }
        #expect(try t.store.account("M01").name == "Math")
        #expect(throws: QuotaError.self) { try t.store.addGroup("\u{0}staff") }
        #expect(throws: QuotaError.self) { try t.store.grant(.group("st\u{0}aff"), on: "Math") }
    }

    @Test func invalidLimitsAndDatesAreRefused() throws {
        let t = try TestStore()
        #expect(throws: QuotaError.self) {
            _ = try t.store.addAccount(NewAccount(name: "A", code: "A", allocation: .limited(soft: eur("10"), hard: eur("5"))))
        }
        let now = t.clock.now
        #expect(throws: QuotaError.self) {
            _ = try t.store.addAccount(NewAccount(name: "B", code: "B", startsAt: now, expiresAt: now - 10))
        }
        #expect(throws: QuotaError.currencyMismatch(expected: "EUR", found: "points")) {
            _ = try t.store.addAccount(NewAccount(name: "C", code: "C", allocation: .limited(
                soft: Money(minorUnits: 1, currency: .points), hard: Money(minorUnits: 2, currency: .points))))
        }
        #expect(try t.store.accounts(includeArchived: true).isEmpty)
    }

    @Test func startAndExpiryLimitUseButKeepTheAccount() throws {
        let t = try TestStore()
        let now = t.clock.now
        _ = try t.store.addAccount(NewAccount(name: "Later", code: "L", startsAt: now + 3600, access: .globalShared))
        _ = try t.store.addAccount(NewAccount(name: "Old", code: "O", expiresAt: now + 60, access: .globalShared))
        try t.store.topUp(user: "alice", amount: eur("10"), reference: nil, actor: "alice")
        #expect(try t.store.usableAccounts(for: "alice").map(\.name) == ["Old"])
        let early = try t.store.authorize("j1", "alice", "1", account: "Later")
        guard case .accountNotUsable(_, .notStarted, false, let alternatives) = early.refusal?.reason else {
            Issue.record("expected not started, got \(early)"); return
        }
        #expect(alternatives == ["Old"])
        t.clock.advance(3600)
        #expect(try t.store.usableAccounts(for: "alice").map(\.name) == ["Later"])
        let late = try t.store.authorize("j2", "alice", "1", account: "Old")
        guard case .accountNotUsable(_, .expired, _, _) = late.refusal?.reason else { Issue.record("expected expired, got \(late)"); return }
        // Expired accounts are kept for reports.
        #expect(try t.store.accounts(includeArchived: false).map(\.name) == ["Later", "Old"])
    }

    @Test func archivedAccountsAreHiddenFromUsersButListedForAdmins() throws {
        let t = try TestStore()
        _ = try t.store.addAccount(NewAccount(name: "Art", code: "ART", access: .globalShared))
        _ = try t.store.addAccount(NewAccount(name: "Bio", code: "BIO", access: .globalShared))
        _ = try t.store.editAccount("Art", AccountChanges(isArchived: true))
        #expect(try t.store.accounts(includeArchived: false).map(\.name) == ["Bio"])
        #expect(try t.store.accounts(includeArchived: true).map(\.name) == ["Art", "Bio"])
        #expect(try t.store.visibleAccounts(for: "bob").map(\.name) == ["Bio"])
        #expect(try t.store.usableAccounts(for: "bob").map(\.name) == ["Bio"])
        let refused = try t.store.authorize("j", "bob", "0", account: "Art")
        guard case .accountNotUsable(_, .archived, _, _) = refused.refusal?.reason else { Issue.record("\(refused)"); return }
        _ = try t.store.editAccount("ART", AccountChanges(isArchived: false))
        #expect(try t.store.visibleAccounts(for: "bob").map(\.name) == ["Art", "Bio"])
    }

    @Test func disabledAccountsCannotBeCharged() throws {
        let t = try TestStore()
        _ = try t.store.addAccount(NewAccount(name: "Art", code: "ART", isEnabled: false, access: .globalShared))
        #expect(try t.store.usableAccounts(for: "bob").isEmpty)
        #expect(try t.store.visibleAccounts(for: "bob").map(\.name) == ["Art"])
        _ = try t.store.editAccount("Art", AccountChanges(isEnabled: true))
        #expect(try t.store.usableAccounts(for: "bob").map(\.name) == ["Art"])
    }

    @Test func accessByUsersLocalGroupsAndSystemGroups() throws {
        let t = try TestStore(groups: ["carol": ["students"], "dave": ["staff"]])
        _ = try t.store.addAccount(NewAccount(name: "Global", code: "G", access: .globalShared))
        _ = try t.store.addAccount(NewAccount(name: "Lab", code: "LAB"))
        try t.store.grant(.user("alice"), on: "Lab")
        try t.store.addGroup("project-x")
        try t.store.addMember("bob", toGroup: "project-x")
        try t.store.grant(.group("project-x"), on: "LAB")
        try t.store.grant(.group("students"), on: "Lab")
        for user in ["alice", "bob", "carol"] {
            #expect(try t.store.usableAccounts(for: user).map(\.name) == ["Global", "Lab"], "\(user)")
        }
        #expect(try t.store.usableAccounts(for: "dave").map(\.name) == ["Global"])
        let refused = try t.store.authorize("j", "dave", "0", account: "Lab")
        guard case .accountNotUsable(_, .noAccess, _, ["Global"]) = refused.refusal?.reason else { Issue.record("\(refused)"); return }
        try t.store.revoke(.user("alice"), on: "Lab")
        #expect(try t.store.usableAccounts(for: "alice").map(\.name) == ["Global"])
        #expect(throws: QuotaError.groupNotFound("nope")) { try t.store.addMember("x", toGroup: "nope") }
        #expect(try t.store.grants(of: "Lab") == [.user("alice"), .group("project-x"), .group("students")].filter { $0 != .user("alice") })
    }

    @Test func systemGroupsThroughNSS() {
        // root is in group root on every Linux system.
        #expect(NSSGroupResolver().groups(of: "root").contains("root"))
        #expect(NSSGroupResolver().groups(of: "no-such-user-\(UUID().uuidString.prefix(8))").isEmpty)
    }
}
