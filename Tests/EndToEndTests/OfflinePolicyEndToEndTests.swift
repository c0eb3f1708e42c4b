import Foundation
import Testing
import TestSupport

/// The quota database (a private PostgreSQL server) stops answering: a queue on the default
/// `tollgate-offline-default=hold` holds its jobs with the reason; a queue set to `record`
/// prints them and journals their charges, which the next job and `tollgate sync` replay once.
/// What the printer received is checked next to what the ledger charged.
@Suite(.serialized) struct OfflinePolicyEndToEndTests {
    func debits(_ bench: CupsBench) throws -> [[String: Any]] {
        let rows = try JSONSerialization.jsonObject(with: Data(try bench.tollgate(["ledger", "--json"]).stdout.utf8)) as? [[String: Any]] ?? []
        return rows.filter { $0["kind"] as? String == "debit" }
    }

    func journalEntries(_ bench: CupsBench) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: bench.journal)) ?? []).filter { $0.hasSuffix(".json") }
    }

    @Test func holdHoldsRecordPrintsAndTheReplayChargesEachJobOnce() throws {
        let postgres = try PostgresServer()
        try postgres.psql("CREATE DATABASE tollgate")
        let bench = try CupsBench(database: postgres.uri(database: "tollgate"))
        try bench.addQueue("office", kind: "raw", options: ["-o", "tollgate-mode-default=quota"])
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=quota", "-o", "tollgate-offline-default=record"])
        let alice = try SystemUser(prefix: "tgoff")
        try #require(bench.tollgate(["topup", alice.name, "0.15"]).status == 0)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 2, in: docs.path)   // 0.11 EUR on the example card

        postgres.stop()
        // hold (the default): held with the reason, nothing printed, nothing journalled.
        let held = try bench.submit(pdf, queue: "office", user: alice)
        let status = try bench.waitForJob(held, in: ["pending-held", "completed", "aborted"])
        #expect(status.state == "pending-held" && status.message.contains("quota database is unavailable"), "\(status)")
        // record: printed, twice, each charge journalled (more than alice has: a replay may go below zero).
        var printed: [Int] = []
        for _ in 0..<2 {
            let job = try bench.submit(pdf, queue: "lab", user: alice)
            #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
            printed.append(job)
        }
        #expect(try bench.receivedDocuments().count == 2, "the held job did not print, the two recorded ones did")
        #expect(journalEntries(bench).count == 2)

        // The database is back: the next job's backend replays the journal, then `tollgate sync` has nothing left.
        try postgres.start()
        try #require(bench.tollgate(["topup", alice.name, "0.10"]).status == 0)
        let next = try bench.submit(pdf, queue: "lab", user: alice)
        #expect(try bench.waitForJob(next, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(journalEntries(bench).isEmpty, "\(journalEntries(bench))")
        let sync = try bench.tollgate(["sync"])
        #expect(sync.status == 0 && sync.stdout.contains("nothing to replay"), "\(sync.stdout) \(sync.stderr)")

        let charged = try debits(bench)
        #expect(charged.count == 3, "the two offline jobs and the next one, once each: \(charged)")
        #expect(charged.filter { ($0["actor"] as? String ?? "").contains("printed while the database was unreachable") }.count == 2, "\(charged)")
        #expect(try bench.receivedDocuments().count == 3)
        // 0.15 + 0.10 − 3 × 0.11: below zero, as the ledger says.
        #expect(try bench.wallet(alice.name) == "-0.08 EUR")
        #expect(try bench.tollgate(["check"]).status == 0)

        // The held job prints once released, charged once more.
        try bench.tollgate(["topup", alice.name, "1.00"])
        try bench.client(["lp", "-i", "\(held)", "-H", "resume"])
        #expect(try bench.waitForJob(held, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try debits(bench).count == 4)
        #expect(try bench.receivedDocuments().count == 4)
    }

    /// The database stops after the job's reservation, while the printer prints: the charge is
    /// journalled (the printer has the job; nothing in the database proves it), and `tollgate
    /// reconcile` charges it once when the database is back, whatever the queue's offline policy.
    @Test func theDatabaseStoppingMidJobLosesNoCharge() throws {
        let postgres = try PostgresServer()
        try postgres.psql("CREATE DATABASE tollgate")
        let bench = try CupsBench(database: postgres.uri(database: "tollgate"))
        try bench.installGatedBackend()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=quota"])
        try bench.client(["lpadmin", "-p", "lab", "-v", "tollgate:gated://x"])
        let alice = try SystemUser(prefix: "tgmid")
        try #require(bench.tollgate(["topup", alice.name, "1.00"]).status == 0)
        let docs = try TemporaryDirectory()
        let job = try bench.submit(try TestDocuments.pdf(pages: 1, in: docs.path), queue: "lab", user: alice)
        try bench.waitForGatedBackend()
        #expect(try bench.ledgerKinds() == ["top-up", "reserve"])

        postgres.stop()
        bench.releaseGatedBackend()
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "canceled"]).state == "completed")
        #expect(journalEntries(bench).count == 1, "the charge waits in the journal")

        try postgres.start()
        let reconcile = try bench.tollgate(["reconcile", "--cups-server", bench.values["CUPS_SERVER"]!])
        #expect(reconcile.status == 0 && reconcile.stdout.contains("charged 0.06 EUR"), "\(reconcile.stdout) \(reconcile.stderr)")
        #expect(try bench.ledgerKinds() == ["top-up", "reserve", "debit"])
        #expect(try bench.wallet(alice.name) == "0.94 EUR", "the 1-page job's 0.06 EUR, once")
        #expect(journalEntries(bench).isEmpty)
        #expect(try bench.tollgate(["reconcile", "--cups-server", bench.values["CUPS_SERVER"]!]).stdout.contains("no open reservations"))
        #expect(try bench.tollgate(["check"]).status == 0)
    }
}
