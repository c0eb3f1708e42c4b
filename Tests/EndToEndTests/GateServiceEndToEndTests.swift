import Foundation
import Testing
import TestSupport

/// Jobs decided and settled by tollgated's gate service (the backend passes the job on), on a
/// private cupsd with real users: what the printer received next to what the ledger charged, the
/// status lines the service writes to the backend's stderr, and the service going away before
/// and in the middle of a job (the backend then decides, or settles, the job itself).
@Suite(.serialized) struct GateServiceEndToEndTests {
    @Test func theServiceChargesWhatPrintedAndHoldsWhatIsNotCovered() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=quota"])
        let alice = try SystemUser(prefix: "tggate")
        let bob = try SystemUser(prefix: "tggbob")
        try #require(bench.tollgate(["topup", alice.name, "1.00"]).status == 0)
        try #require(bench.tollgate(["user", "add", bob.name]).status == 0)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 2, in: docs.path)   // 0.11 EUR on the example card
        let service = try bench.startGateService()

        let paid = try bench.submit(pdf, queue: "lab", user: alice)
        #expect(try bench.waitForJob(paid, in: ["completed", "aborted", "pending-held"]).state == "completed")
        let refused = try bench.submit(pdf, queue: "lab", user: bob)
        let held = try bench.waitForJob(refused, in: ["completed", "aborted", "pending-held"])
        // The service wrote the refusal to the backend's stderr: cupsd shows it as for any backend.
        #expect(held.state == "pending-held" && held.message.contains("not printed yet") && held.message.contains("0.11 EUR"), "\(held)")

        #expect(try bench.receivedDocuments().count == 1, "alice's job printed, bob's did not")
        #expect(try bench.wallet(alice.name) == "0.89 EUR")
        #expect(try bench.wallet(bob.name) == "0.00 EUR")
        #expect(try bench.ledgerKinds() == ["top-up", "reserve", "debit"])
        #expect(try bench.tollgate(["check"]).status == 0)

        service.signal(SIGTERM)
        let log = try service.wait(timeout: 30).stderr
        #expect(log.contains("gate: job \(paid) on lab: printing") && log.contains("gate: job \(paid) on lab: settled"), "\(log)")
        #expect(log.contains("gate: job \(refused) on lab: held (account-limit-reached)"), "\(log)")
    }

    /// The service is killed while the printer prints: the backend settles the job itself from
    /// what the service admitted, once; with no service at all, the next job is decided in the
    /// backend's own process.
    @Test func theServiceGoingAwayLosesNoChargeAndPrintsNothingFree() throws {
        let bench = try CupsBench()
        try bench.installGatedBackend()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=quota"])
        try bench.client(["lpadmin", "-p", "lab", "-v", "tollgate:gated://x"])
        let alice = try SystemUser(prefix: "tggkill")
        try #require(bench.tollgate(["topup", alice.name, "1.00"]).status == 0)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)   // 0.06 EUR
        let service = try bench.startGateService()

        let job = try bench.submit(pdf, queue: "lab", user: alice)
        try bench.waitForGatedBackend()
        #expect(try bench.ledgerKinds() == ["top-up", "reserve"])
        service.signal(SIGKILL)
        let log = try service.wait(timeout: 30).stderr
        #expect(log.contains("gate: job \(job) on lab: printing"), "the service admitted the job: \(log)")

        bench.releaseGatedBackend()
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "canceled"]).state == "completed")
        #expect(try bench.ledgerKinds() == ["top-up", "reserve", "debit"], "settled by the backend itself, once")
        #expect(try bench.wallet(alice.name) == "0.94 EUR")

        // No service (its socket file is left behind, nothing listens): the backend decides.
        let next = try bench.submit(pdf, queue: "lab", user: alice)
        #expect(try bench.waitForJob(next, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try bench.wallet(alice.name) == "0.88 EUR")
        #expect(try bench.tollgate(["reconcile", "--cups-server", bench.values["CUPS_SERVER"]!]).stdout.contains("no open reservations"))
        #expect(try bench.tollgate(["check"]).status == 0)
    }

    /// The service's PostgreSQL restarted between jobs while jobs keep coming: the service's
    /// kept connection finds out and connects again (the jobs after the restart print and are
    /// charged, not held as "unavailable"); every job printed is charged once, none is free.
    @Test func aDatabaseRestartedUnderLoadChargesEveryPrintedJobOnce() throws {
        let postgres = try PostgresServer()
        try postgres.psql("CREATE DATABASE tollgate")
        let bench = try CupsBench(database: postgres.uri(database: "tollgate"))
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=quota"])
        let alice = try SystemUser(prefix: "tggpg")
        try #require(bench.tollgate(["topup", alice.name, "10.00"]).status == 0)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)   // 0.06 EUR
        let service = try bench.startGateService()
        defer { service.signal(SIGTERM); _ = try? service.wait(timeout: 10) }

        var jobs: [Int] = []
        for _ in 0..<4 { jobs.append(try bench.submit(pdf, queue: "lab", user: alice)) }
        postgres.stop()
        try postgres.start()
        for _ in 0..<4 { jobs.append(try bench.submit(pdf, queue: "lab", user: alice)) }
        var completed = 0
        for (index, job) in jobs.enumerated() {
            let status = try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"])
            if status.state == "completed" { completed += 1 } else {
                // A job the stop caught mid-way waits with the reason; none after the restart does.
                #expect(index < 4 && status.message.contains("quota database"), "held only for the database, with the reason: \(status)")
            }
        }
        let last = try bench.submit(pdf, queue: "lab", user: alice)
        #expect(try bench.waitForJob(last, in: ["completed", "aborted", "pending-held"]).state == "completed",
                "after the restart the service reconnected")
        completed += 1
        let debits = try bench.ledgerKinds().filter { $0 == "debit" }.count
        #expect(debits == completed, "each printed job charged once")
        #expect(try bench.receivedDocuments().count == completed, "nothing printed without its charge")
        #expect(try bench.tollgate(["check"]).status == 0)
    }
}
