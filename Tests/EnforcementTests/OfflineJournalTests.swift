import Foundation
import Pricing
import QuotaDB
import Testing
@testable import Enforcement

/// The offline journal against a real SQLite store: each job charged once, what it printed, even
/// below zero; nothing for what did not print; a killed backend's job left to reconcile.
@Suite struct OfflineJournalTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)").path
    var journal: OfflineJournal { OfflineJournal(directory: directory + "/journal") }

    func store() throws -> SQLQuotaStore {
        try SQLQuotaStore(location: DatabaseLocation(path: directory + "/tollgate.db"), options: SQLQuotaStore.Options(create: true, currency: .eur))
    }

    func eur(_ text: String) -> Money { try! Money(parsing: text, currency: .eur, unit: .optional) }

    func entry(_ key: String, _ user: String, _ price: String) -> OfflineJournal.Entry {
        OfflineJournal.Entry(jobKey: key, user: user, queue: "lab", application: "LibreOffice", account: nil, price: eur(price),
                             recordedAt: Date(), server: "srv")
    }

    @Test func aPrintedJobIsChargedOnceWhatItPrintedEvenBelowZero() throws {
        let db = try store()
        try db.topUp(user: "alice", amount: eur("0.50"), reference: nil, actor: "test")
        try journal.record(entry("srv/1/100", "alice", "1.20"))
        #expect(!journal.isEmpty)
        #expect(try journal.finish(jobKey: "srv/1/100", charged: eur("0.80")))   // a partial print
        // What a crash after the charge and before the file's removal would leave: the same entry again.
        let saved = try String(contentsOfFile: directory + "/journal/srv%2F1%2F100.json", encoding: .utf8)
        let report = try journal.replay(into: db)
        #expect(report.charged.map(\.jobKey) == ["srv/1/100"] && report.charged.map(\.amount) == [eur("0.80")])
        #expect(journal.isEmpty)
        try saved.write(toFile: directory + "/journal/srv%2F1%2F100.json", atomically: true, encoding: .utf8)
        _ = try journal.replay(into: db)
        #expect(journal.isEmpty)
        #expect(try db.balances(for: "alice").wallet == eur("-0.30"), "charged once, below zero")
        let debits = try db.ledger(LedgerQuery(kinds: [.debit]))
        #expect(debits.count == 1 && debits[0].actor.contains("printed while the database was unreachable"), "\(debits)")
        #expect(try db.usageReport(UsageReportQuery(grouping: .queue)).first?.queue == "lab")
        #expect(try db.check().isConsistent)
    }

    @Test func aJobThatPrintedNothingLeavesTheJournalUncharged() throws {
        let db = try store()
        try journal.record(entry("srv/2/100", "bob", "1.00"))
        #expect(try journal.finish(jobKey: "srv/2/100", charged: nil))
        #expect(journal.isEmpty)
        #expect(try journal.replay(into: db) == OfflineJournal.ReplayReport())
        #expect(try db.ledger(LedgerQuery()).isEmpty)
    }

    @Test func aJobWhoseBackendNeverFinishedBecomesAnOpenReservation() throws {
        let db = try store()
        try journal.record(entry("srv/3/100", "carol", "2.00"))
        let report = try journal.replay(into: db)
        #expect(report.reserved == ["srv/3/100"] && report.charged.isEmpty)
        #expect(try db.reservation(jobKey: "srv/3/100")?.state == .reserved)
        // The backend ends after all: the entry is gone, so it settles in the database itself.
        #expect(try journal.finish(jobKey: "srv/3/100", charged: eur("2.00")) == false)
    }

    @Test func anUnreadableEntryIsLeftInPlaceAndNamed() throws {
        let db = try store()
        try journal.record(entry("srv/4/100", "dave", "1.00"))
        try "not json".write(toFile: directory + "/journal/broken.json", atomically: true, encoding: .utf8)
        #expect(try journal.finish(jobKey: "srv/4/100", charged: eur("1.00")))
        let report = try journal.replay(into: db)
        #expect(report.failed.map(\.name) == ["broken.json"] && report.charged.map(\.jobKey) == ["srv/4/100"])
        #expect(FileManager.default.fileExists(atPath: directory + "/journal/broken.json"))
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/journal")
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
    }
}
