import Foundation
import GRDB
import Pricing
import Testing
@testable import QuotaDB

@Suite("Opening the SQLite database", .enabled(if: TestEngine.isSQLite, "files, WAL and SQLite migrations"))
struct OpeningTests {
    @Test func createsWALDatabaseWithCurrencyAndReopens() throws {
        let t = try TestStore()
        #expect(t.store.currency == .eur)
        let mode = try DatabaseQueue(path: t.path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let again = try t.reopen()
        #expect(again.currency == .eur)
        #expect(throws: QuotaError.currencyMismatch(expected: "EUR", found: "points")) {
            _ = try SQLQuotaStore(location: DatabaseLocation(path: t.path), options: .init(currency: .points))
        }
    }

    @Test func missingDatabaseIsNotCreatedUnlessAsked() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nope-\(UUID().uuidString)/t.db").path
        #expect(throws: QuotaError.databaseMissing(path: path)) {
            _ = try SQLQuotaStore(location: DatabaseLocation(path: path))
        }
        #expect(throws: QuotaError.currencyRequired(path: path)) {
            _ = try SQLQuotaStore(location: DatabaseLocation(path: path), options: .init(create: true))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func locationPrecedence() {
        #expect(DatabaseLocation.resolve(explicit: "/a.db", environment: ["TOLLGATE_DB": "/b.db"]).path == "/a.db")
        #expect(DatabaseLocation.resolve(explicit: nil, environment: ["TOLLGATE_DB": "/b.db"]).path == "/b.db")
        #expect(DatabaseLocation.resolve(explicit: nil, environment: [:]).path == "/var/lib/tollgate/tollgate.db")
    }

    @Test func corruptFileIsRefusedAndLeftUntouched() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("corrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("t.db").path
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: path))
        let error = quotaError { _ = try SQLQuotaStore(location: DatabaseLocation(path: path), options: .init(create: true, currency: .eur)) }
        guard case .corruptDatabase(let p, _)? = error else { Issue.record("a garbage file gave \(String(describing: error))"); return }
        #expect(p == path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func damagedTollgateDatabaseIsRefused() throws {
        // The store is closed when `make` returns; its WAL is kept (the store does not checkpoint
        // on close), so checkpoint it here: the damage must hit pages no WAL frame shadows.
        func make() throws -> (String, TestClock) {
            let t = try TestStore()
            try t.store.addUser("alice")
            return (t.path, t.clock)
        }
        let (path, clock) = try make()
        try DatabaseQueue(path: path).writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        // Overwrite the pages after the header: the schema can no longer be read.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: 100)
        handle.write(Data(repeating: 0xA5, count: 4000))
        try handle.close()
        let error = quotaError {
            _ = try SQLQuotaStore(location: DatabaseLocation(path: path), options: .init(clock: { clock.now }))
        }
        guard case .corruptDatabase? = error else { Issue.record("expected corruptDatabase, got \(String(describing: error))"); return }
    }

    @Test func newerSchemaIsRefused() throws {
        let t = try TestStore()
        try DatabaseQueue(path: t.path).write { db in try db.execute(sql: "PRAGMA user_version = 99") }
        #expect(throws: QuotaError.newerSchema(path: t.path, found: 99, supported: SchemaMigrations.currentVersion)) {
            _ = try t.reopen()
        }
    }

    @Test func anotherProgramsDatabaseIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("foreign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("t.db").path
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE photos(id INTEGER)") }
        let error = quotaError { _ = try SQLQuotaStore(location: DatabaseLocation(path: path), options: .init(create: true, currency: .eur)) }
        guard case .corruptDatabase(_, let detail)? = error else { Issue.record("foreign database gave \(String(describing: error))"); return }
        #expect(detail.contains("photos"))
    }

    @Test func lockedDatabaseFailsAfterTheTimeoutWithNothingWritten() throws {
        let t = try TestStore()
        try t.store.topUp(user: "alice", amount: eur("5"), reference: nil, actor: "admin")
        let impatient = try t.reopen(busyTimeout: 0.3)
        let blocker = try DatabaseQueue(path: t.path)
        let started = Date()
        try blocker.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            #expect(throws: QuotaError.databaseBusy(path: t.path, timeoutSeconds: 0.3)) {
                _ = try impatient.authorize("job-1", "alice", "1")
            }
            try db.execute(sql: "ROLLBACK")
        }
        #expect(Date().timeIntervalSince(started) >= 0.25)
        #expect(try t.store.reservation(jobKey: "job-1") == nil)
        #expect(try t.store.wallet("alice") == eur("5"))
        #expect(try t.store.check().isConsistent)
    }
}
