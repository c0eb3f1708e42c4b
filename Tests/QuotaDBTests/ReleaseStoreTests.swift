import Foundation
import GRDB
import Pricing
import Testing
@testable import QuotaDB

/// Held jobs, grants, job history and PIN credentials on a real SQLite file.
@Suite struct ReleaseStoreTests {
    func held(_ t: TestStore, key: String = "srv/7/100", owner: String = "alice", price: String = "0.30") -> HeldJob {
        HeldJob(jobKey: key, jobID: 7, queue: "secure", owner: owner, title: "thesis.pdf", pageSides: 6, sheets: 6, copies: 1,
                colourPages: 1, price: eur(price), ratesCard: "default", heldAt: t.clock.now,
                expiresAt: t.clock.now.addingTimeInterval(3600))
    }

    @Test func grantOnlyForTheOwnerOfAHeldJob() throws {
        let t = try TestStore()
        try t.store.recordHeld(held(t), reason: nil, actor: "backend")
        #expect(throws: QuotaError.heldJobNotFound(jobKey: "srv/7/100", user: "mallory")) {
            try t.store.grantRelease(jobKey: "srv/7/100", user: "mallory", account: nil, grantedBy: "station")
        }
        #expect(throws: QuotaError.heldJobNotFound(jobKey: "srv/8/100", user: "alice")) {
            try t.store.grantRelease(jobKey: "srv/8/100", user: "alice", account: nil, grantedBy: "station")
        }
        try t.store.grantRelease(jobKey: "srv/7/100", user: "alice", account: nil, grantedBy: "station")
        #expect(try t.store.heldJob(jobKey: "srv/7/100")?.state == .released)
        #expect(throws: QuotaError.jobNotHeld(jobKey: "srv/7/100", state: .released)) {
            try t.store.grantRelease(jobKey: "srv/7/100", user: "alice", account: nil, grantedBy: "station")
        }
    }

    @Test func aGrantIsUsedOnceAndOnlyWhileFresh() throws {
        let t = try TestStore()
        try t.store.recordHeld(held(t), reason: nil, actor: "backend")
        try t.store.grantRelease(jobKey: "srv/7/100", user: "alice", account: nil, grantedBy: "cli")
        #expect(try t.store.takeGrant(jobKey: "srv/7/100", maxAge: ReleaseGrant.lifetime)?.user == "alice")
        #expect(try t.store.takeGrant(jobKey: "srv/7/100", maxAge: ReleaseGrant.lifetime) == nil, "used once")

        try t.store.recordHeld(held(t), reason: "not enough funds", actor: "backend")
        try t.store.grantRelease(jobKey: "srv/7/100", user: "alice", account: nil, grantedBy: "cli")
        t.clock.advance(ReleaseGrant.lifetime + 1)
        #expect(try t.store.takeGrant(jobKey: "srv/7/100", maxAge: ReleaseGrant.lifetime) == nil, "a stale grant prints nothing")
    }

    @Test func heldAgainKeepsItsFirstHoldTimeAndTheHistoryIsAppendOnly() throws {
        let t = try TestStore()
        let first = try t.store.recordHeld(held(t), reason: nil, actor: "backend")
        t.clock.advance(600)
        try t.store.grantRelease(jobKey: first.jobKey, user: "alice", account: nil, grantedBy: "station")
        var again = held(t)
        again.heldAt = t.clock.now
        again.expiresAt = t.clock.now.addingTimeInterval(3600)
        let second = try t.store.recordHeld(again, reason: "top up 0.10 EUR", actor: "backend")
        #expect(second.heldAt == first.heldAt)
        #expect(second.expiresAt == first.expiresAt, "a refusal does not extend the hold lifetime")
        #expect(second.message == "top up 0.10 EUR")
        #expect(try t.store.jobEvents(jobKey: first.jobKey, user: nil, limit: 100).map(\.kind) == [.refused, .released, .held])
        #expect(throws: (any Error).self) {
            try t.execute("DELETE FROM job_event")
        }
    }

    @Test func expiredJobsAreThoseHeldPastTheirLifetime() throws {
        let t = try TestStore()
        try t.store.recordHeld(held(t), reason: nil, actor: "backend")
        #expect(try t.store.expiredHeldJobs(at: t.clock.now).isEmpty)
        #expect(try t.store.expiredHeldJobs(at: t.clock.now.addingTimeInterval(3600)).map(\.jobKey) == ["srv/7/100"])
        try t.store.finishHeldJob(jobKey: "srv/7/100", state: .expired, event: .expired, detail: "1 h", actor: "tick")
        #expect(try t.store.expiredHeldJobs(at: t.clock.now.addingTimeInterval(7200)).isEmpty)
        #expect(try t.store.heldJobs(owner: "alice").isEmpty)
    }

    @Test func previewDecidesLikeAuthorizeButReservesNothing() throws {
        let t = try TestStore()
        try t.store.topUp(user: "alice", amount: eur("0.50"), reference: nil, actor: "admin")
        let request = AuthorizationRequest(jobKey: "srv/7/100", user: "alice", amount: eur("0.30"), policy: .cover)
        #expect(try t.store.preview(request).isApproved)
        #expect(try t.store.reservation(jobKey: "srv/7/100") == nil)
        #expect(try t.store.wallet("alice") == eur("0.50"))
        let tooMuch = AuthorizationRequest(jobKey: "srv/8/100", user: "alice", amount: eur("0.60"), policy: .cover)
        #expect(try t.store.preview(tooMuch).refusal?.shortfall == eur("0.10"))
    }

    @Test func aCredentialIsFoundByUserNameOrCardNumber() throws {
        let t = try TestStore()
        try t.store.setCredential(user: "alice", cardNumber: "0042", pinHash: "$y$hash")
        #expect(try t.store.credential(identifier: "0042")?.user == "alice")
        #expect(try t.store.credential(identifier: "alice")?.cardNumber == "0042")
        #expect(try t.store.credential(identifier: "alice")?.pinHash == "$y$hash")
        #expect(throws: QuotaError.cardInUse(cardNumber: "0042")) {
            try t.store.setCredential(user: "bob", cardNumber: "0042", pinHash: "$y$other")
        }
        try t.store.removeCredential(user: "alice")
        #expect(try t.store.credential(identifier: "0042") == nil)
    }

    @Test func oneTextIsNeverBothACardNumberAndAUserName() throws {
        let t = try TestStore()
        try t.store.topUp(user: "bob", amount: eur("1.00"), reference: nil, actor: "admin")
        #expect(throws: QuotaError.ambiguousSignIn(identifier: "bob")) {
            try t.store.setCredential(user: "alice", cardNumber: "bob", pinHash: "$y$hash")
        }
        try t.store.setCredential(user: "alice", cardNumber: "0042", pinHash: "$y$hash")
        #expect(throws: QuotaError.ambiguousSignIn(identifier: "0042")) {
            try t.store.setCredential(user: "0042", cardNumber: nil, pinHash: "$y$other")
        }
        try t.store.setCredential(user: "alice", cardNumber: "alice", pinHash: "$y$hash")   // her own name: not ambiguous
        // Rows that clash anyway (written before the check): the user name wins, every time.
        try t.execute("INSERT INTO \"user\"(name, wallet_balance, created_at) VALUES ('dave', 0, 0), ('carol', 0, 0)")
        try t.execute("""
            INSERT INTO credential(user_name, card_number, pin_hash, updated_at)
            VALUES ('carol', 'dave', '$y$c', 0), ('dave', NULL, '$y$d', 0)
            """)
        #expect(try t.store.credential(identifier: "dave")?.user == "dave")
    }

    @Test(.enabled(if: TestEngine.isSQLite)) func aVersion1DatabaseIsUpgradedOnOpen() throws {
        let t = try TestStore()
        // What Tollgate 1 left: only the first migration, user_version 1, a top-up in the ledger.
        let path = t.directory.appendingPathComponent("v1.db").path
        let queue = try DatabaseQueue(path: path)
        let first = try #require(SchemaMigrations.migrator.migrations.first)
        try SchemaMigrations.migrator.migrate(queue, upTo: first)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO setting(key, value) VALUES ('currency.code', 'EUR'), ('currency.exponent', '2')")
            try db.execute(sql: "INSERT INTO user(name, wallet_balance, created_at) VALUES ('alice', 0, 0)")
        }
        try queue.close()
        let reopened = try SQLQuotaStore(location: DatabaseLocation(path: path))
        #expect(try reopened.users() == ["alice"], "nothing lost")
        #expect(try reopened.check().isConsistent)
        try reopened.recordHeld(held(t), reason: nil, actor: "backend")
        #expect(try reopened.heldJobs(owner: "alice").count == 1)
    }

    @Test(.enabled(if: TestEngine.isSQLite)) func aVersion2DatabaseLosesItsPINLockButKeepsItsPINs() throws {
        let t = try TestStore()
        try t.store.setCredential(user: "alice", cardNumber: "0042", pinHash: "$y$hash")
        // Make it what Tollgate 2 left: the PIN lock's columns, user_version 2.
        try t.sqliteQueue.writeWithoutTransaction { db in
            try db.execute(sql: """
                ALTER TABLE credential ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE credential ADD COLUMN locked_until INTEGER;
                UPDATE credential SET failed_attempts = 3, locked_until = 1;
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v3:%'; PRAGMA user_version = 2;
                """)
        }
        let reopened = try t.reopen()
        #expect(try reopened.credential(identifier: "0042") == PINCredential(user: "alice", cardNumber: "0042", pinHash: "$y$hash"))
        let columns = try (reopened.engine as! SQLiteEngine).queue.read { db in try db.columns(in: "credential").map(\.name) }
        #expect(columns.sorted() == ["card_number", "pin_hash", "updated_at", "user_name"])
        #expect(try (reopened.engine as! SQLiteEngine).queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == 3)
    }
}
