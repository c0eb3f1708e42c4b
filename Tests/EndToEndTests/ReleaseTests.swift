import Foundation
import Testing
import TestSupport

/// Walk-up release on a real cupsd: a `release` queue holds every job, priced, until its owner
/// releases it with a grant (here through `tollgate release`, as an administrator acting for the
/// owner, or as root for their own job); cupsd's own resume prints nothing.
@Suite(.serialized) struct ReleaseEndToEndTests {
    static let release = ["-o", "tollgate-mode-default=release"]

    func ledger(_ bench: CupsBench) throws -> [[String: Any]] {
        let result = try bench.tollgate(["ledger", "--json"])
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    func events(_ bench: CupsBench) throws -> [String] {
        let result = try bench.tollgate(["jobs", "--history", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        return rows.compactMap { $0["kind"] as? String }.reversed()
    }

    /// Submits a 2-page PDF (0.11 EUR on the example card) and waits until the backend has held it.
    func heldJob(_ bench: CupsBench, queue: String = "secure", user: SystemUser? = nil) throws -> Int {
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 2, in: docs.path)
        let job = try bench.submit(pdf, queue: queue, user: user)
        let held = try bench.waitForJob(job, in: ["pending-held", "completed", "aborted"])
        try #require(held.state == "pending-held", "\(held)")
        #expect(held.message.contains("release station"), "\(held)")
        return job
    }

    @Test func releasedJobPrintsOnceChargedToTheChosenAccount() throws {
        let bench = try CupsBench()
        try bench.addQueue("secure", kind: "raw", options: Self.release)
        try bench.tollgate(["account", "add", "Physics", "--code", "PHY", "--global", "--soft", "5", "--hard", "10"])
        try bench.tollgate(["topup", "root", "1.00"])
        let job = try heldJob(bench)
        #expect(try bench.receivedDocuments().isEmpty, "held, not printed")
        #expect(try ledger(bench).count == 1, "only the top-up: a held job costs nothing yet")

        let list = try bench.tollgate(["jobs"])
        #expect(list.stdout.contains("\(job)") && list.stdout.contains("0.11 EUR"), "\(list.stdout)")

        let release = try bench.tollgate(["release", "\(job)", "--account", "Physics"])
        #expect(release.status == 0, "\(release.stderr)")
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try bench.receivedDocuments().count == 1)
        let debits = try ledger(bench).filter { $0["kind"] as? String == "debit" }
        #expect(debits.count == 1, "charged once")
        #expect((debits.first?["account"] as? [String: Any])?["name"] as? String == "Physics", "the chosen account paid")
        #expect(try events(bench) == ["held", "released", "printed"])
        #expect(try bench.tollgate(["jobs"]).stdout.contains("no jobs waiting"))
        #expect(try bench.tollgate(["check"]).status == 0)
    }

    @Test func cupsResumeWithoutAGrantPrintsNothing() throws {
        let bench = try CupsBench()
        let alice = try SystemUser(prefix: "tgalice")
        // cupsd's default policy: it takes the name a request claims.
        try bench.addQueue("secure", kind: "raw", options: Self.release + ["-o", "printer-op-policy=default"])
        try bench.tollgate(["topup", alice.name, "1.00"])
        let job = try heldJob(bench, user: alice)
        // Anyone can tell cupsd "I am alice, resume job N" (the default policy trusts the name).
        let resume = try bench.client(["lp", "-U", alice.name, "-i", "\(job)", "-H", "resume"])
        try #require(resume.status == 0, "\(resume.stderr)")
        // Wait for the backend's second run (its second hold message in cupsd's log).
        let deadline = Date().addingTimeInterval(30)
        func holds() -> Int { bench.errorLog.components(separatedBy: "[Job \(job)] Tollgate: waiting for \(alice.name)").count - 1 }
        while holds() < 2 && Date() < deadline { usleep(100_000) }
        #expect(holds() == 2, "the backend ran again after the resume")
        let again = try bench.waitForJob(job, in: ["pending-held", "completed", "aborted"])
        #expect(again.state == "pending-held", "held again: no grant")
        #expect(try bench.receivedDocuments().isEmpty, "nothing printed")
        #expect(try ledger(bench).filter { $0["kind"] as? String != "top-up" }.isEmpty, "nothing charged")
    }

    @Test func anotherUsersJobIsNeitherListedNorReleasable() throws {
        let bench = try CupsBench()
        let alice = try SystemUser(prefix: "tgalice")
        let mallory = try SystemUser(prefix: "tgmallo")
        try bench.addQueue("secure", kind: "raw", options: Self.release)
        try bench.tollgate(["topup", mallory.name, "5.00"])
        let job = try heldJob(bench, user: alice)
        #expect(try bench.tollgate(["jobs", "--user", mallory.name]).stdout.contains("no jobs waiting"))
        let attempt = try bench.tollgate(["release", "\(job)", "--user", mallory.name])
        #expect(attempt.status != 0)
        #expect(attempt.stderr.contains("You have no job \(job) waiting"), "the same answer as for a job that does not exist: \(attempt.stderr)")
        #expect(try bench.jobStatus(job).state == "pending-held")
        #expect(try bench.receivedDocuments().isEmpty)
    }

    @Test func aJobTheChainCannotPayIsNotReleased() throws {
        let bench = try CupsBench()
        let alice = try SystemUser(prefix: "tgalice")
        try bench.addQueue("secure", kind: "raw", options: Self.release)
        try bench.tollgate(["topup", alice.name, "0.05"])
        let job = try heldJob(bench, user: alice)
        let attempt = try bench.tollgate(["release", "\(job)", "--user", alice.name])
        #expect(attempt.status != 0)
        #expect(attempt.stderr.contains("top up at least 0.06 EUR"), "\(attempt.stderr)")
        #expect(try bench.jobStatus(job).state == "pending-held")
        #expect(try events(bench) == ["held"], "no grant was written")

        try bench.tollgate(["topup", alice.name, "0.10"])
        #expect(try bench.tollgate(["release", "\(job)", "--user", alice.name]).status == 0)
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try bench.receivedDocuments().count == 1)
    }

    /// Ubuntu's cupsd (SystemGroup lpadmin) hides a job's owner and title from root: the backend
    /// still knows whose job it is (cupsd's argv), and a release still finds the owner's job.
    @Test func ownerIsKnownWhenCupsdHidesItFromRoot() throws {
        let bench = try CupsBench()
        let alice = try SystemUser(prefix: "tgalice")
        try bench.addQueue("lab", kind: "raw")
        // Tollgate's policy reserves releasing to @SYSTEM, which here leaves out root: the release
        // queue keeps cupsd's default policy (its owners prove who they are at release), the
        // quota queue authenticates who submits.
        try bench.addQueue("secure", kind: "raw", options: Self.release + ["-o", "printer-op-policy=default"])
        try bench.reconfigure("cups-files.conf") { $0.replacingOccurrences(of: "SystemGroup root lpadmin", with: "SystemGroup lpadmin") }
        try bench.tollgate(["topup", alice.name, "1.00"])
        let docs = try TemporaryDirectory()
        let quotaJob = try bench.submit(try TestDocuments.pdf(pages: 1, in: docs.path), queue: "lab", user: alice)
        let printed = try bench.waitForJob(quotaJob, in: ["completed", "aborted", "pending-held"])
        #expect(printed.state == "completed", "\(printed)")

        let job = try heldJob(bench, user: alice)
        #expect(try bench.tollgate(["jobs", "--user", alice.name]).stdout.contains("\(job)"))
        let release = try bench.tollgate(["release", "\(job)", "--user", alice.name])
        #expect(release.status == 0, "\(release.stderr)")
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try bench.receivedDocuments().count == 2)
        let debits = try ledger(bench).filter { $0["kind"] as? String == "debit" }
        #expect(debits.count == 2 && debits.allSatisfy { $0["user"] as? String == alice.name }, "\(debits)")
        #expect(try events(bench) == ["held", "released", "printed"])
    }

    @Test func deletedJobIsCancelledAndRecorded() throws {
        let bench = try CupsBench()
        try bench.addQueue("secure", kind: "raw", options: Self.release)
        let job = try heldJob(bench)
        let delete = try bench.tollgate(["delete", "\(job)"])
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(try bench.waitForJob(job, in: ["canceled"]).state == "canceled")
        #expect(try events(bench) == ["held", "deleted"])
    }

    @Test func expiredJobIsCancelledAndItsReservationReleased() throws {
        let bench = try CupsBench()
        try bench.addQueue("secure", kind: "raw", options: Self.release + ["-o", "tollgate-hold-hours-default=2"])
        let job = try heldJob(bench)
        #expect(try bench.tollgate(["tick"]).stdout.contains("no held job has expired"))
        // Two hours pass: move the job's expiry into the past in the real database file.
        let shift = try ProcessRunner.run(["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("UPDATE held_job SET expires_at = expires_at - 2 * 3600 * 1000 - 1000")
            db.commit()
            """, bench.database])
        try #require(shift.status == 0, "\(shift.stderr)")
        let tick = try bench.tollgate(["tick"])
        #expect(tick.stdout.contains("expired job \(job)"), "\(tick.stdout) \(tick.stderr)")
        #expect(try bench.waitForJob(job, in: ["canceled"]).state == "canceled")
        #expect(try events(bench) == ["held", "expired"])
        #expect(try bench.receivedDocuments().isEmpty)
    }

    @Test func followMeMovesTheJobAndPricesItOnTheTargetQueue() throws {
        let bench = try CupsBench(printers: 2)
        try bench.addQueue("secure", kind: "raw", printer: 1, options: Self.release)
        try bench.addQueue("library", kind: "raw", printer: 2, options: Self.release)
        try bench.tollgate(["topup", "root", "1.00"])
        let job = try heldJob(bench)
        let move = try bench.tollgate(["release", "\(job)", "--to", "library"])
        #expect(move.status == 0, "\(move.stderr)")
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try bench.receivedDocuments(printer: 1).isEmpty)
        #expect(try bench.receivedDocuments(printer: 2).count == 1, "printed where the user stands")
        #expect(try events(bench) == ["held", "moved", "released", "printed"])
    }
}

extension ReleaseEndToEndTests {
    /// cups/tollgate-policy.conf: a local user who names another user cannot even ask cupsd to
    /// release that user's job (besides the backend printing nothing without a grant).
    @Test func tollgatePolicyRefusesASpoofedReleaseAtCupsd() throws {
        let bench = try CupsBench()
        let alice = try SystemUser(prefix: "tgalice")
        try bench.addQueue("secure", kind: "raw", options: Self.release + ["-o", "printer-op-policy=default"])
        // Submitted by alice herself (runuser: cupsd knows her by her uid).
        let job = try heldJob(bench, user: alice)
        // `nobody` is a real local user: cupsd knows them by their uid on the domain socket.
        let spoofCommand = ["runuser", "-u", "nobody", "--", "lp", "-U", alice.name, "-i", "\(job)", "-H", "resume"]
        let underDefault = try ProcessRunner.run(spoofCommand, environment: bench.clientEnvironment)
        #expect(underDefault.status == 0, "cupsd's default policy accepts it: \(underDefault.stderr)")
        _ = try bench.waitForJob(job, in: ["pending-held"])
        try bench.client(["lpadmin", "-p", "secure", "-o", "printer-op-policy=tollgate"])
        let spoof = try ProcessRunner.run(spoofCommand, environment: bench.clientEnvironment)
        #expect(spoof.status != 0, "cupsd refused: \(spoof.stdout) \(spoof.stderr)")
        let cancelOther = try ProcessRunner.run(["runuser", "-u", "nobody", "--", "cancel", "\(job)"], environment: bench.clientEnvironment)
        #expect(cancelOther.status != 0, "nobody cannot cancel alice's job")
        #expect(try bench.jobStatus(job).state == "pending-held")
        // Users still print and cancel their own jobs under the policy.
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let own = try ProcessRunner.run(["runuser", "-u", "nobody", "--", "lp", "-d", "secure", pdf], environment: bench.clientEnvironment)
        #expect(own.status == 0, "\(own.stderr)")
        if let id = own.stdout.split(separator: "-").last?.split(separator: " ").first.flatMap({ Int($0) }) {
            let cancelOwn = try ProcessRunner.run(["runuser", "-u", "nobody", "--", "cancel", "\(id)"], environment: bench.clientEnvironment)
            #expect(cancelOwn.status == 0, "\(cancelOwn.stderr)")
        } else {
            Issue.record("no job id in: \(own.stdout)")
        }
        // Tollgate (root, @SYSTEM) still releases it for its owner.
        try bench.tollgate(["topup", alice.name, "1.00"])
        let release = try bench.tollgate(["release", "\(job)", "--user", alice.name])
        #expect(release.status == 0, "\(release.stderr)")
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
    }
}

extension ReleaseEndToEndTests {
    /// Writes a held-job record straight into the bench's database: job `jobID` created at time 1
    /// on `server` (nil: this server, as the backend names it in the job already held), held for
    /// `owner`, its lifetime over.
    func insertExpiredHeldJob(_ bench: CupsBench, server: String?, jobID: Int, owner: String, title: String) throws {
        let insert = try ProcessRunner.run(["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            server = sys.argv[2] or db.execute("SELECT job_key FROM held_job").fetchone()[0].split("/")[0]
            db.execute(\"\"\"INSERT INTO held_job(job_key, job_id, queue, owner, title, page_sides, sheets, copies,
                colour_pages, price, rates_card, state, message, held_at, expires_at, updated_at)
                VALUES (?, ?, 'secure', ?, ?, 1, 1, 1, 0, 6, 'default', 'held', '', 0, 1, 0)\"\"\",
                (server + "/" + sys.argv[3] + "/1", int(sys.argv[3]), sys.argv[4], sys.argv[5]))
            db.commit()
            """, bench.database, server ?? "", String(jobID), owner, title])
        try #require(insert.status == 0, "\(insert.stderr)")
    }

    /// A record left from before cupsd lost its state names a job id that cupsd has given to a
    /// newer job: expiry closes the record and leaves the newer job alone.
    @Test func aStaleRecordNeverCancelsANewerJobWithItsId() throws {
        let bench = try CupsBench()
        let alice = try SystemUser(prefix: "tgalice")
        try bench.addQueue("secure", kind: "raw", options: Self.release)
        let job = try heldJob(bench, user: alice)
        // The stale record: the same id, an earlier time-at-creation, this server's name.
        try insertExpiredHeldJob(bench, server: nil, jobID: job, owner: alice.name, title: "old.pdf")
        let tick = try bench.tollgate(["tick"])
        #expect(tick.stdout.contains("expired job \(job)"), "the stale record is closed: \(tick.stdout) \(tick.stderr)")
        #expect(try bench.jobStatus(job).state == "pending-held", "the newer job with the same id was not cancelled")
        #expect(try bench.tollgate(["jobs", "--user", alice.name]).stdout.contains("\(job)"), "and still waits for alice")
    }

    /// Two print servers may share one database: this server's tick and listing never touch a
    /// job of the other (its job ids name other jobs here).
    @Test func anotherServersHeldJobIsLeftToThatServer() throws {
        let bench = try CupsBench()
        let alice = try SystemUser(prefix: "tgalice")
        try bench.addQueue("secure", kind: "raw", options: Self.release)
        let job = try heldJob(bench, user: alice)
        // The other server's job 1 is held for alice too, and its lifetime has ended.
        try insertExpiredHeldJob(bench, server: "other-server", jobID: job, owner: alice.name, title: "elsewhere.pdf")
        #expect(try bench.tollgate(["tick"]).stdout.contains("no held job has expired"))
        #expect(try bench.jobStatus(job).state == "pending-held", "this server's job with the same id was not cancelled")
        let list = try bench.tollgate(["jobs", "--user", alice.name, "--json"])
        #expect(!list.stdout.contains("elsewhere.pdf"), "not listed here: it waits at the other server")
        #expect(try events(bench).filter { $0 == "deleted" || $0 == "expired" }.isEmpty, "and not closed by this server")
    }
}
