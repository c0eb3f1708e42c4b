import Foundation
import Testing
import TestSupport

/// The fault matrix: a job interrupted at each step, on a real cupsd with a real database, by a
/// real user. After each fault, `tollgate reconcile` and `tollgate check`; then what the printer
/// received is set next to what the ledger charged: nothing printed free, nothing charged twice,
/// nothing charged for what did not print, no row lost or half-written.
///
/// The process deciding the job is SIGKILLed at a step with `TOLLGATE_FAULT=STEP` (``FaultPoint``
/// in BackendCore; debug builds only): given to the backend through cupsd's SetEnv, or to
/// tollgated's gate service through its own environment.
@Suite(.serialized) struct FaultMatrixTests {
    static let quota = ["-o", "tollgate-mode-default=quota"]
    /// A 1-page PDF on the example card: 1 side 0.05 + 1 sheet 0.005 → 0.06 EUR.
    static let price = "0.06"

    /// A bench with queue `lab` in front of printer 1's raw socket printer (the socket backend
    /// says when every byte was sent: "Print file sent"), a real user with `funds` (1.00 EUR),
    /// and their job (a 1-page PDF) submitted.
    struct Fixture {
        let owner: SystemUser
        let bench: CupsBench
        let job: Int
        let document: String
        let documents: TemporaryDirectory

        init(environment: [String] = [], gateService: [String: String]? = nil,
             database: String? = nil, queueOptions: [String] = FaultMatrixTests.quota,
             pages: Int = 1, funds: String = "1.00", kind: String = "raw", socket: Bool = true, beforeSubmit: (CupsBench) throws -> Void = { _ in }) throws {
            owner = try SystemUser(prefix: "tgfault")
            bench = try CupsBench(database: database, environment: environment)
            try bench.addQueue("lab", kind: kind, options: queueOptions)
            if socket { try bench.useSocketPrinter("lab") }
            try bench.tollgate(["topup", owner.name, funds])
            documents = try TemporaryDirectory(mode: 0o755)
            document = try TestDocuments.pdf(pages: pages, in: documents.path)
            try beforeSubmit(bench)
            job = try bench.submit(document, queue: "lab", user: owner)
        }

        /// Waits until cupsd's error_log says the job's backend ended by SIGKILL.
        func waitForKilledBackend(timeout: TimeInterval = 60) throws {
            let deadline = Date().addingTimeInterval(timeout)
            while !bench.errorLog.contains("[Job \(job)]") || !bench.errorLog.split(separator: "\n")
                .contains(where: { $0.contains("[Job \(job)]") && ($0.contains("crashed on signal 9") || $0.contains("with signal 9")) }) {
                guard Date() < deadline else { throw TestFailure("the backend of job \(job) was not killed:\n\(bench.errorLog.split(separator: "\n").filter { $0.contains("PID") || $0.contains("[Job \(job)]") }.suffix(40).joined(separator: "\n"))") }
                usleep(100_000)
            }
        }

        /// Waits until the job's reservation is in the ledger (the job is printing).
        func waitForReservation(timeout: TimeInterval = 30) throws {
            let deadline = Date().addingTimeInterval(timeout)
            while try !bench.ledgerKinds().contains("reserve") {
                guard Date() < deadline else { throw TestFailure("job \(job) was never reserved: \(try bench.ledgerKinds())") }
                usleep(50_000)
            }
        }

        /// `tollgate reconcile` on this bench's cupsd; it must succeed.
        @discardableResult
        func reconcile() throws -> String {
            let result = try bench.tollgate(["reconcile", "--cups-server", bench.values["CUPS_SERVER"]!])
            #expect(result.status == 0, "tollgate reconcile: \(result.stderr)")
            return result.stdout
        }

        /// Runs the job to its end if cupsd kept it (a stopped queue is started again, a held job
        /// released), and returns its final state.
        func finish(timeout: TimeInterval = 60) throws -> String {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                let status = try bench.jobStatus(job)
                if ["completed", "canceled", "aborted"].contains(status.state) { return status.state }
                guard Date() < deadline else { throw TestFailure("job \(job) stayed \(status)") }
                if status.state == "pending-held" { try bench.client(["lp", "-i", "\(job)", "-H", "resume"]) }
                if status.state == "stopped" || status.state == "pending" { try bench.client(["cupsenable", "lab"]) }
                usleep(200_000)
            }
        }

        /// The debits and refunds on the ledger, and the owner's wallet.
        func charges() throws -> (kinds: [String], wallet: String) {
            (try bench.ledgerKinds(), try bench.wallet(owner.name))
        }

        /// How many whole copies of the document the socket printer received.
        func printedCopies() throws -> Int {
            let sent = try Data(contentsOf: URL(fileURLWithPath: document))
            return try bench.socketReceived().filter { try Data(contentsOf: URL(fileURLWithPath: $0)) == sent }.count
        }

        /// Nothing left open, the ledger re-derives every balance.
        func expectConsistent() throws {
            #expect(try reconcile().contains("no open reservations"), "reconcile has nothing left to do")
            let check = try bench.tollgate(["check"])
            #expect(check.status == 0, "tollgate check: \(check.stdout) \(check.stderr)")
        }
    }

    /// What a job killed at `point` comes to: printed once and charged once, or not printed and
    /// not charged — never printed and free, never charged twice.
    func expectPrintedMatchesCharged(_ fixture: Fixture, printed expected: Int) throws {
        let printed = try fixture.printedCopies()
        let (kinds, wallet) = try fixture.charges()
        #expect(printed == expected, "the printer received \(printed) copies; ledger \(kinds)")
        #expect(kinds.filter { $0 == "debit" }.count == printed, "one debit per print: \(kinds)")
        #expect(wallet == (printed == 1 ? "0.94 EUR" : "1.00 EUR"), "the wallet pays for what printed: \(wallet), \(kinds)")
        #expect(kinds.filter { $0 == "reserve" }.count <= 1, "reserved at most once: \(kinds)")
    }

    /// The backend (no gate service: it decides the job in its own process) SIGKILLed at each
    /// step. cupsd 2.4.2 marks the job of a backend that died by a signal `completed`: a job
    /// killed before it reached the printer is not printed and costs nothing; one killed after
    /// every byte reached the printer is charged by reconcile from what the printer confirmed.
    @Test(arguments: ["after-spool", "after-analysis", "after-authorise", "after-real-backend"])
    func aBackendKilledAtAStep(_ point: String) throws {
        let fixture = try Fixture(environment: ["TOLLGATE_FAULT=\(point)"])
        try fixture.waitForKilledBackend()
        try fixture.bench.setBackendEnvironment("TOLLGATE_FAULT", nil)
        let reconciled = try fixture.reconcile()
        let state = try fixture.finish()
        let printed = point == "after-real-backend" ? 1 : 0
        try expectPrintedMatchesCharged(fixture, printed: printed)
        switch point {
        case "after-authorise":
            #expect(reconciled.contains("released"), "the reservation is refunded: \(reconciled)")
        case "after-real-backend":
            #expect(reconciled.contains("charged 0.06 EUR"), "charged from what the printer confirmed: \(reconciled)")
        default:
            #expect(reconciled.contains("no open reservations"), "nothing was reserved: \(reconciled)")
        }
        #expect(state == "completed", "cupsd's state of a job whose backend was killed: \(state)")
        try fixture.expectConsistent()
    }

    /// The backend SIGKILLed while the real backend runs (the printer keeps the line open a few
    /// seconds, as one still printing; cupsd does not kill the orphaned real backend, which
    /// finishes): what the printer received is charged once, by reconcile from cupsd's job state
    /// — never free, never twice.
    @Test func aBackendKilledWhileTheRealBackendRuns() throws {
        let fixture = try Fixture { bench in try bench.lingerSocketPrinter(4) }
        try fixture.waitForReservation()
        let backend = try #require(Self.process(argv0: "tollgate:" + fixture.bench.socketURI(), jobID: fixture.job),
                                   "the backend of job \(fixture.job) is running")
        #expect(Self.process(argv0: fixture.bench.socketURI(), jobID: fixture.job) != nil, "its real backend is running")
        kill(backend, SIGKILL)
        try fixture.waitForKilledBackend()
        let state = try fixture.finish()
        let gone = Date().addingTimeInterval(15)
        while Self.process(argv0: fixture.bench.socketURI(), jobID: fixture.job) != nil && Date() < gone { usleep(100_000) }
        #expect(state == "completed", "cupsd's state of a job whose backend was killed: \(state)")
        #expect(try fixture.bench.ledgerKinds() == ["top-up", "reserve"], "the reservation waits for reconcile")
        let printed = try fixture.printedCopies()
        #expect(printed == 1, "the orphaned real backend finished sending the job")
        let reconciled = try fixture.reconcile()
        #expect(reconciled.contains(": charged 0.06 EUR"), "reconcile charges what printed: \(reconciled)")
        try expectPrintedMatchesCharged(fixture, printed: printed)
        try fixture.expectConsistent()
    }

    /// The process whose argv[0] is `argv0` and argv[1] the job's id (a backend cupsd started).
    static func process(argv0: String, jobID: Int) -> pid_t? {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { pid_t($0) } ?? []
        return pids.first { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let argv = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            return argv.count > 1 && argv[0] == argv0 && argv[1] == "\(jobID)"
        }
    }

    /// tollgated's gate service SIGKILLed at each step of a job it decides: the backend decides
    /// (or settles) the job itself, from the same job key, so it prints once and is charged once.
    @Test(arguments: ["after-analysis", "after-authorise", "after-real-backend"])
    func aGateServiceKilledAtAStep(_ point: String) throws {
        var service: RunningProcess? = nil
        let fixture = try Fixture { bench in
            service = try bench.startGateService(environment: ["TOLLGATE_FAULT": point])
        }
        let ended = try #require(service).wait(timeout: 60)
        #expect(ended.signaled && ended.status == SIGKILL,
                "tollgated died at \(point): \(ended.status) \(ended.stderr.suffix(500))")
        let state = try fixture.finish()
        #expect(state == "completed")
        try expectPrintedMatchesCharged(fixture, printed: 1)
        #expect(fixture.bench.errorLog.contains("the gate service"), "the backend says it took over")
        try fixture.expectConsistent()
    }

    /// The backend SIGKILLed at each step while tollgated's gate service decides the job.
    @Test(arguments: ["after-spool", "after-authorise", "after-real-backend"])
    func aServedBackendKilledAtAStep(_ point: String) throws {
        var service: RunningProcess? = nil
        let fixture = try Fixture(environment: ["TOLLGATE_FAULT=\(point)"]) { bench in
            service = try bench.startGateService()
        }
        defer { service?.signal(SIGTERM); _ = try? service?.wait(timeout: 10) }
        try fixture.waitForKilledBackend()
        try fixture.bench.setBackendEnvironment("TOLLGATE_FAULT", nil)
        let reconciled = try fixture.reconcile()
        _ = try fixture.finish()
        try expectPrintedMatchesCharged(fixture, printed: point == "after-real-backend" ? 1 : 0)
        #expect(!reconciled.contains("left open"), "\(reconciled)")
        try fixture.expectConsistent()
    }

    /// The database locked by another writer for longer than the backend's busy timeout (5 s):
    /// the job is retried by cupsd (CUPS_BACKEND_RETRY), not held for an administrator, not
    /// printed uncharged; once the lock is gone it prints once and is charged once.
    @Test func theDatabaseLockedLongerThanTheBusyTimeout() throws {
        var locker: RunningProcess? = nil
        let fixture = try Fixture { bench in
            let ready = bench.state.path + "/locked"
            locker = try RunningProcess(["python3", "-c", """
                import sqlite3, sys, time
                c = sqlite3.connect(sys.argv[1], isolation_level=None)
                c.execute('BEGIN EXCLUSIVE')
                open(sys.argv[2], 'w').close()
                time.sleep(float(sys.argv[3]))
                c.execute('ROLLBACK')
                """, bench.database, ready, "9"])
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: ready) && Date() < deadline { usleep(50_000) }
            try #require(FileManager.default.fileExists(atPath: ready), "the database is locked")
        }
        let state = try fixture.finish(timeout: 90)
        _ = try locker?.wait(timeout: 30)
        #expect(state == "completed")
        try expectPrintedMatchesCharged(fixture, printed: 1)
        #expect(fixture.bench.errorLog.contains("will be retried"), "the backend said why it waits")
        try fixture.expectConsistent()
    }

    /// cupsd restarted while jobs wait: one for its owner's release, one for funds. Both are still
    /// held, with the same job keys, and each prints once, charged once, when released.
    @Test
    func cupsdRestartedWithHeldJobs() throws {
        let owner = try SystemUser(prefix: "tgfault")
        let bench = try CupsBench()
        try bench.addQueue("secure", kind: "raw", options: ["-o", "tollgate-mode-default=release"])
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.tollgate(["topup", owner.name, "0.10"])
        let docs = try TemporaryDirectory(mode: 0o755)
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let big = try TestDocuments.pdf(pages: 3, in: docs.path, name: "big.pdf")
        let waiting = try bench.submit(pdf, queue: "secure", user: owner)
        let overFunds = try bench.submit(big, queue: "lab", user: owner)
        for job in [waiting, overFunds] {
            #expect(try bench.waitForJob(job, in: ["pending-held", "completed", "aborted"]).state == "pending-held")
        }
        try bench.restartCupsd()
        for job in [waiting, overFunds] {
            let after = try bench.waitForJob(job, in: ["pending-held", "completed", "aborted", "canceled"])
            #expect(after.state == "pending-held", "job \(job) still waits after the restart: \(after)")
        }
        #expect(try bench.receivedDocuments().isEmpty)
        #expect(try bench.tollgate(["jobs", "--user", owner.name]).stdout.contains("\(waiting)"), "the release queue's job is still listed")

        let release = try bench.tollgate(["release", "\(waiting)", "--user", owner.name])
        #expect(release.status == 0, "\(release.stdout) \(release.stderr)")
        #expect(try bench.waitForJob(waiting, in: ["completed", "aborted", "pending-held"]).state == "completed")
        try bench.tollgate(["topup", owner.name, "1.00"])
        try bench.client(["lp", "-i", "\(overFunds)", "-H", "resume"])
        #expect(try bench.waitForJob(overFunds, in: ["completed", "aborted", "pending-held"]).state == "completed")

        #expect(try bench.receivedDocuments().count == 2, "each printed once")
        let kinds = try bench.ledgerKinds()
        #expect(kinds.filter { $0 == "debit" }.count == 2, "each charged once: \(kinds)")
        // 0.10 + 1.00 − 0.06 − (3 sides 0.15 + 3 sheets 0.015 → 0.17) = 0.87 EUR.
        #expect(try bench.wallet(owner.name) == "0.87 EUR")
        let reconcile = try bench.tollgate(["reconcile", "--cups-server", bench.values["CUPS_SERVER"]!])
        #expect(reconcile.stdout.contains("no open reservations"), "\(reconcile.stdout)")
        #expect(try bench.tollgate(["check"]).status == 0)
    }

    /// A small filesystem, mounted for the test's lifetime (unmounted by ``unmount``).
    final class SmallFilesystem {
        let path: String
        init(at path: String, size: String) throws {
            self.path = path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let mount = try ProcessRunner.run(["mount", "-t", "tmpfs", "-o", "size=\(size),mode=1777", "tollgate-fault", path])
            guard mount.status == 0 else { throw TestFailure("mount: \(mount.stderr)") }
        }
        /// Fills it up to the last byte (a file `filler`).
        func fill() throws {
            _ = try ProcessRunner.run(["dd", "if=/dev/zero", "of=\(path)/filler", "bs=4k"])
            _ = try ProcessRunner.run(["dd", "if=/dev/zero", "of=\(path)/filler-tail", "bs=64"])
        }
        func free() { for f in ["filler", "filler-tail"] { try? FileManager.default.removeItem(atPath: path + "/" + f) } }
        func unmount() { _ = try? ProcessRunner.run(["umount", "-l", path]) }
    }

    /// cupsd's TempDir (the backends' `$TMPDIR`, where the backend spools a filtered job) full when
    /// the job runs: nothing is charged and nothing prints; the job stays (cupsd stops the queue
    /// with the reason); once there is room it prints once, charged once.
    @Test func aFullTMPDIR() throws {
        var tmp: SmallFilesystem? = nil
        let fixture = try Fixture(kind: "everywhere", socket: false) { bench in
            try bench.client(["cupsdisable", "lab"])
        }
        defer { tmp?.unmount() }
        // The job is in cupsd's spool; now its TempDir fills up, and the queue starts.
        tmp = try SmallFilesystem(at: fixture.bench.dir + "/spool/tmp", size: "1m")
        try tmp?.fill()
        try fixture.bench.client(["cupsenable", "lab"])
        let deadline = Date().addingTimeInterval(60)
        var status = try fixture.bench.jobStatus(fixture.job)
        while !fixture.bench.errorLog.contains("No space left on device"),
              !["completed", "aborted", "canceled", "pending-held"].contains(status.state), Date() < deadline {
            usleep(200_000)
            status = try fixture.bench.jobStatus(fixture.job)
        }
        let printers = try fixture.bench.client(["lpstat", "-p", "lab"]).stdout
        #expect(try fixture.bench.receivedDocuments().isEmpty, "nothing printed: \(status), \(printers)")
        #expect(try fixture.bench.ledgerKinds() == ["top-up"], "nothing charged or reserved")
        #expect(fixture.bench.errorLog.contains("No space left on device"), "the reason is in cupsd's log")
        tmp?.free()
        #expect(try fixture.finish() == "completed")
        #expect(try fixture.bench.receivedDocuments().count == 1)
        let (kinds, wallet) = try fixture.charges()
        #expect(kinds.filter { $0 == "debit" }.count == 1, "\(kinds)")
        #expect(wallet == "0.94 EUR")
        try fixture.expectConsistent()
    }

    /// The database's filesystem full when a job asks for its money: the job is held with the
    /// reason, nothing prints, nothing is charged, nothing is half-written; once there is room
    /// it prints once, charged once.
    @Test func theDatabasesDiskFull() throws {
        let disk = try SmallFilesystem(at: FileManager.default.temporaryDirectory.path + "/tollgate-dbfull-\(getpid())-\(UInt32.random(in: 0...UInt32.max))", size: "4m")
        defer { disk.unmount(); try? FileManager.default.removeItem(atPath: disk.path) }
        let fixture = try Fixture(database: disk.path + "/tollgate.db") { _ in try disk.fill() }
        let held = try fixture.bench.waitForJob(fixture.job, in: ["pending-held", "completed", "aborted", "stopped"])
        #expect(held.state == "pending-held", "\(held)")
        #expect(held.message.contains("full"), "the reason reaches lpstat -l: \(held.message)")
        #expect(try fixture.printedCopies() == 0)
        disk.free()
        #expect(try fixture.bench.ledgerKinds() == ["top-up"], "nothing charged or reserved")
        #expect(try fixture.finish() == "completed")
        try expectPrintedMatchesCharged(fixture, printed: 1)
        try fixture.expectConsistent()
    }

    /// The database's filesystem fills while the job prints, after its reservation and before its
    /// settlement (the printer keeps the line open a few seconds, as one still printing): the
    /// settle cannot be written, the reservation stays open and the job still completes; once
    /// there is room, reconcile charges it once from cupsd's job state — printed once, charged
    /// once, no row lost or half-written.
    @Test func theDatabasesDiskFillingWhileTheJobPrints() throws {
        let disk = try SmallFilesystem(at: FileManager.default.temporaryDirectory.path + "/tollgate-dbfill-\(getpid())-\(UInt32.random(in: 0...UInt32.max))", size: "4m")
        defer { disk.unmount(); try? FileManager.default.removeItem(atPath: disk.path) }
        let fixture = try Fixture(database: disk.path + "/tollgate.db") { bench in try bench.lingerSocketPrinter(5) }
        try fixture.waitForReservation()
        try disk.fill()
        #expect(try fixture.bench.waitForJob(fixture.job, in: ["completed", "aborted", "canceled", "pending-held", "stopped"], timeout: 60).state == "completed")
        #expect(fixture.bench.errorLog.contains("could not settle job \(fixture.job)"), "the settle met the full disk and said so")
        disk.free()
        #expect(try fixture.bench.ledgerKinds() == ["top-up", "reserve"], "the reservation is still open, nothing half-written")
        let reconciled = try fixture.reconcile()
        #expect(reconciled.contains(": charged 0.06 EUR"), "reconcile charges the printed job: \(reconciled)")
        try expectPrintedMatchesCharged(fixture, printed: 1)
        try fixture.expectConsistent()
    }

    /// A printer that stops answering in the middle of a job (its process stopped: the
    /// connection is open, nothing is read). Cancelled while it hangs, the job is charged only if
    /// every byte reached the printer; when the printer comes back it prints what it got, and
    /// what it printed is what was charged. A second job waits for the printer and prints once.
    @Test func aPrinterThatStopsAnsweringMidJob() throws {
        let fixture = try Fixture(pages: 40, funds: "5.00")
        let pidFile = fixture.bench.dir + "/printers/1/socket.pid"
        let printer = try #require(pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(printer, SIGSTOP)
        var resumed = false
        defer { if !resumed { kill(printer, SIGCONT) } }
        _ = try fixture.bench.waitForJob(fixture.job, in: ["processing"])
        sleep(3)
        try fixture.bench.client(["cancel", "\(fixture.job)"])
        _ = try fixture.bench.waitForJob(fixture.job, in: ["canceled", "completed", "aborted"], timeout: 60)
        kill(printer, SIGCONT)
        resumed = true
        let settled = Date().addingTimeInterval(15)
        while try fixture.bench.ledgerKinds().count < 3 && Date() < settled { usleep(100_000) }
        sleep(2)   // the printer reads what its connection still holds
        let printed = try fixture.printedCopies()
        let kinds = try fixture.bench.ledgerKinds()
        #expect(kinds.filter { $0 == "debit" }.count == printed, "charged for what the printer received (\(printed) whole copies): \(kinds)")
        #expect(kinds.filter { $0 == "debit" }.count + kinds.filter { $0 == "release" }.count == 1, "settled once: \(kinds)")
        try fixture.expectConsistent()
    }

    /// The clock jumping across a scheduled-credit period and back (an NTP step, a wrong BIOS
    /// clock), with `tollgate schedule run` (the maintenance timer) run under each clock by
    /// libfaketime: each period is credited once at most, whatever order the clock shows them
    /// in; a job is charged once from what was credited; `tollgate check` passes.
    @Test func theClockJumpingAcrossAScheduledCreditPeriod() throws {
        let owner = try SystemUser(prefix: "tgfault")
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.tollgate(["user", "add", owner.name])
        let add = try bench.tollgate(["schedule", "add", "term", "--amount", "2.00", "--every", "monthly",
                                      "--user", owner.name, "--starts", "2026-11-01"])
        try #require(add.status == 0, "\(add.stdout) \(add.stderr)")
        var environment = ["PATH": "/usr/bin:/bin", "TOLLGATE_DB": bench.database, "LANG": "C", "TZ": "UTC"]
        environment["TOLLGATE_PIN_KEY"] = bench.pinKey
        func run(at clock: String) throws -> String {
            let result = try ProcessRunner.run(["faketime", clock, BuiltProducts.executable("tollgate"), "schedule", "run"],
                                               environment: environment)
            #expect(result.status == 0, "schedule run at \(clock): \(result.stderr)")
            return result.stdout
        }
        let november = try run(at: "2026-11-15 08:00:00")
        #expect(november.contains("2026-11"), "November's credit: \(november)")
        let january = try run(at: "2027-01-10 08:00:00")          // the clock jumps forward over December
        #expect(january.contains("2027-01") && january.contains("MISSED"), "January's, December reported missed: \(january)")
        let back = try run(at: "2026-11-20 08:00:00")             // and back into November
        #expect(!back.contains("applied term"), "November is not credited again: \(back)")
        let again = try run(at: "2027-01-10 09:00:00")            // and forward again
        #expect(!again.contains("applied term"), "January is not credited again: \(again)")
        let kinds = try bench.ledgerKinds()
        #expect(try bench.wallet(owner.name) == "4.00 EUR", "two periods credited, once each: \(kinds)")

        let docs = try TemporaryDirectory(mode: 0o755)
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab", user: owner)
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try bench.wallet(owner.name) == "3.94 EUR")
        #expect(try bench.receivedDocuments().count == 1)
        #expect(try bench.tollgate(["check"]).status == 0)
    }
}
