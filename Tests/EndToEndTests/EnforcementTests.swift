import Foundation
import Testing
import TestSupport
import CupsClient

/// The backend prices, reserves, prints or holds, then settles or refunds — on a real cupsd with
/// a real SQLite database and the example rates card (A4 mono 0.05 a side, colour 0.25, 0.005 a sheet).
@Suite(.serialized) struct EnforcementEndToEndTests {
    static let quota = ["-o", "tollgate-mode-default=quota"]

    @Test func jobWithinFundsPrintsAndIsChargedItsQuote() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.tollgate(["topup", "root", "1.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 3, colorPages: [2], in: docs.path)
        // A raw queue defaults to print-color-mode=monochrome (and so prints, and charges, grey).
        let job = try bench.submit(pdf, queue: "lab", options: ["print-color-mode=color"])
        let status = try bench.waitForJob(job, in: ["completed", "aborted", "canceled", "stopped", "pending-held"])
        #expect(status.state == "completed", "\(status)")
        #expect(try bench.receivedDocuments().count == 1)
        // 2 mono sides 0.10 + 1 colour side 0.25 + 3 sheets 0.015 = 0.365 → 0.37 EUR.
        #expect(try bench.wallet() == "0.63 EUR")
        #expect(try bench.ledgerKinds() == ["top-up", "reserve", "debit"])
        #expect(try bench.tollgate(["check"]).status == 0)
    }

    @Test func jobOverFundsIsHeldThenPrintsOnceAfterTopUp() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 2, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        let held = try bench.waitForJob(job, in: ["pending-held", "completed", "aborted"])
        #expect(held.state == "pending-held")
        #expect(held.message.contains("this job costs 0.11 EUR"), "\(held)")
        #expect(held.message.contains("top up at least 0.11 EUR"))
        #expect(try bench.receivedDocuments().isEmpty, "nothing reached the printer")
        #expect(try bench.ledgerKinds().isEmpty, "nothing charged")
        let history = try bench.tollgate(["jobs", "--history"])
        #expect(history.stdout.contains("refused") && history.stdout.contains("top up at least 0.11 EUR"),
                "the refusal is on record: \(history.stdout)")

        try bench.tollgate(["topup", "root", "0.50"])
        try bench.client(["lp", "-i", "\(job)", "-H", "resume"])
        let done = try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"])
        #expect(done.state == "completed", "\(done)")
        #expect(try bench.receivedDocuments().count == 1)
        #expect(try bench.wallet() == "0.39 EUR")
        #expect(try bench.ledgerKinds().filter { $0 == "debit" }.count == 1, "charged once")
    }

    @Test func userOptionsCannotTurnAQuotaQueueIntoTrack() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab", options: ["tollgate-mode-default=track", "tollgate-mode=track"])
        let held = try bench.waitForJob(job, in: ["pending-held", "completed", "aborted"])
        #expect(held.state == "pending-held")
        #expect(try bench.receivedDocuments().isEmpty)
    }

    /// On a raw queue no filter applies print-color-mode (and nothing proves the printer does):
    /// the colour page is charged as colour, as the document was sent.
    @Test func monochromeOnARawQueueIsPricedAsSent() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.tollgate(["topup", "root", "1.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 3, colorPages: [2], in: docs.path)
        let job = try bench.submit(pdf, queue: "lab", options: ["print-color-mode=monochrome"])
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
        let received = try bench.receivedDocuments()
        #expect(received.count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: received[0])) == Data(contentsOf: URL(fileURLWithPath: pdf)), "the document as sent")
        // 2 mono sides 0.10 + 1 colour side 0.25 + 3 sheets 0.015 = 0.365 → 0.37 EUR.
        #expect(try bench.wallet() == "0.63 EUR")
    }

    @Test func trackQueuePrintsWithZeroFundsAndCharges() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=track"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try bench.wallet() == "-0.06 EUR")
    }

    @Test func failingRealBackendIsNotCharged() throws {
        let bench = try CupsBench()
        try bench.installBackend("failing", script: "#!/bin/sh\n[ $# -eq 0 ] && exit 0\necho 'ERROR: printer on fire' >&2\nexit 1\n")
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.client(["lpadmin", "-p", "lab", "-v", "tollgate:failing://x", "-o", "printer-error-policy=abort-job"])
        try bench.tollgate(["topup", "root", "1.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        #expect(try bench.waitForJob(job, in: ["aborted", "completed", "pending-held", "stopped"]).state == "aborted")
        #expect(try bench.ledgerKinds() == ["top-up", "reserve", "release"], "reserved, then refunded")
        #expect(try bench.wallet() == "1.00 EUR")
    }

    @Test func missingRatesCardHoldsTheJobWithTheReason() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=track", "-o", "tollgate-rates-default=nosuch"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        let held = try bench.waitForJob(job, in: ["pending-held", "completed"])
        #expect(held.state == "pending-held", "never printed for free")
        #expect(held.message.contains("nosuch.toml"))
        #expect(try bench.receivedDocuments().isEmpty)
    }
}

extension EnforcementEndToEndTests {
    @Test func reprintOfAPaidJobIsNotFree() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.tollgate(["topup", "root", "1.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
        // Restart-Job reprints a completed job (cupsd keeps its file: PreserveJobFiles).
        let restart = try bench.client(["lp", "-i", "\(job)", "-H", "restart"])
        try #require(restart.status == 0, "restart: \(restart.stderr)")
        let again = try bench.waitForJob(job, in: ["pending-held", "aborted"])
        #expect(again.state == "pending-held")
        #expect(again.message.contains("already printed"), "\(again)")
        #expect(try bench.ledgerKinds().filter { $0 == "debit" }.count == 1, "paid once")
        #expect(try bench.receivedDocuments().count == 1, "printed once")
    }
}

extension EnforcementEndToEndTests {
    /// Two queues on two printers run jobs at the same time, racing for the same wallet.
    @Test func twentyJobsOnFundsForTenPrintTenAndHoldTen() throws {
        let bench = try CupsBench(printers: 2)
        try bench.addQueue("left", kind: "raw", printer: 1, options: Self.quota)
        try bench.addQueue("right", kind: "raw", printer: 2, options: Self.quota)
        // One mono A4 page: 0.05 + 0.005 sheet = 0.055 → 0.06 EUR; 0.60 EUR pays exactly ten.
        try bench.tollgate(["topup", "root", "0.60"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        var jobs: [Int] = []
        for i in 0..<20 { jobs.append(try bench.submit(pdf, queue: i % 2 == 0 ? "left" : "right")) }
        var states: [String] = []
        for job in jobs {
            states.append(try bench.waitForJob(job, in: ["completed", "pending-held", "aborted"], timeout: 120).state)
        }
        #expect(states.filter { $0 == "completed" }.count == 10)
        #expect(states.filter { $0 == "pending-held" }.count == 10)
        #expect(try bench.receivedDocuments(printer: 1).count + bench.receivedDocuments(printer: 2).count == 10)
        #expect(try bench.wallet() == "0.00 EUR")
        #expect(try bench.ledgerKinds().filter { $0 == "debit" }.count == 10)
        #expect(try bench.tollgate(["check"]).status == 0)
    }
}

extension EnforcementEndToEndTests {
    @Test func jobRetriedByCupsdIsChargedOnce() throws {
        let bench = try CupsBench()
        // Fails with CUPS_BACKEND_RETRY the first time, prints the second.
        try bench.installBackend("flaky", script: """
            #!/bin/sh
            [ $# -eq 0 ] && exit 0
            if [ ! -e "$TMPDIR/flaky-tried" ]; then : > "$TMPDIR/flaky-tried"; echo 'ERROR: printer busy' >&2; exit 6; fi
            cat > /dev/null
            exit 0
            """)
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.client(["lpadmin", "-p", "lab", "-v", "tollgate:flaky://x"])
        try bench.tollgate(["topup", "root", "1.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        // cupsd holds a job its backend asked to retry until JobRetryInterval (2 s here) passes.
        let status = try bench.waitForJob(job, in: ["completed", "aborted"], timeout: 90)
        #expect(status.state == "completed", "\(status)")
        #expect(try bench.ledgerKinds() == ["top-up", "reserve", "release", "reserve", "debit"], "refunded on retry, charged once")
        #expect(try bench.wallet() == "0.94 EUR")
    }
}

extension EnforcementEndToEndTests {
    /// Starts a job whose real backend says `status` (a status line, if any) and hangs, SIGKILLs
    /// the tollgate backend, and returns the job.
    func jobWithKilledBackend(_ bench: CupsBench, status: String? = nil) throws -> Int {
        let say = status.map { "echo '\($0)' >&2\nsleep 1\n" } ?? ""
        try bench.installBackend("slow", script: "#!/bin/sh\n[ $# -eq 0 ] && exit 0\n\(say)echo $$ > \"$TMPDIR/slow-backend.pid\"\nexec sleep 600\n")
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.client(["lpadmin", "-p", "lab", "-v", "tollgate:slow://x"])
        try bench.tollgate(["topup", "root", "1.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        let pidFile = bench.dir + "/spool/tmp/slow-backend.pid"
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: pidFile) && Date() < deadline { usleep(50_000) }
        try #require(FileManager.default.fileExists(atPath: pidFile), "the real backend started")
        try ProcessRunner.shell("pkill -KILL -f '^tollgate:slow://[x]'; pkill -KILL -F '\(pidFile)'; true")
        #expect(try bench.ledgerKinds() == ["top-up", "reserve"], "the reservation is open")
        return job
    }

    func reconcile(_ bench: CupsBench) throws -> ProcessResult {
        try bench.tollgate(["reconcile", "--cups-server", bench.values["CUPS_SERVER"]!])
    }

    /// cupsd marks a job whose backend was SIGKILLed `completed` (seen here with CUPS 2.4.2), so
    /// that proves nothing: a backend killed before the printer confirmed anything is refunded.
    @Test func aKilledBackendWithNothingDeliveredIsRefundedOnce() throws {
        let bench = try CupsBench()
        let job = try jobWithKilledBackend(bench)
        _ = try bench.waitForJob(job, in: ["completed", "aborted", "canceled"], timeout: 30)
        let first = try reconcile(bench)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try bench.ledgerKinds() == ["top-up", "reserve", "release"], "\(first.stdout)")
        #expect(first.stdout.contains("nothing shows that the printer printed"), "\(first.stdout)")
        #expect(try reconcile(bench).stdout.contains("no open reservations"), "reconcile again changes nothing")
        #expect(try bench.tollgate(["check"]).status == 0)
    }

    /// The backend keeps what the printer confirmed while it printed: a byte-sending backend that
    /// said every byte was sent is charged in full by reconcile, once, after the backend died.
    @Test func aKilledBackendAfterEveryByteWasSentIsChargedOnce() throws {
        let bench = try CupsBench()
        let job = try jobWithKilledBackend(bench, status: "INFO: Print file sent.")
        _ = try bench.waitForJob(job, in: ["completed", "aborted", "canceled"], timeout: 30)
        let first = try reconcile(bench)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try bench.ledgerKinds() == ["top-up", "reserve", "debit"], "\(first.stdout)")
        #expect(first.stdout.contains("sent every byte"), "\(first.stdout)")
        #expect(try bench.wallet() == "0.94 EUR", "the 1-page job's 0.06 EUR")
        #expect(try reconcile(bench).stdout.contains("no open reservations"))
        #expect(try bench.tollgate(["check"]).status == 0)
    }

    /// An open reservation whose job cupsd cancelled, or no longer knows, is refunded.
    @Test func reconcileRefundsReservationsOfCancelledAndForgottenJobs() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.client(["cupsdisable", "lab"])
        try bench.tollgate(["topup", "root", "1.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        let created = try #require(try CupsClient(server: bench.values["CUPS_SERVER"]!).jobAttributes(job).integer("time-at-creation"))
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let server = String(cString: host)
        // Reservations as a backend that died would have left them.
        let cancelledKey = "\(server)/\(job)/\(created)", forgottenKey = "\(server)/4242/\(created)"
        for key in [cancelledKey, forgottenKey] {
            let r = try bench.tollgate(["debug", "authorize", "--job", key, "--user", "root", "--amount", "0.06"])
            try #require(r.status == 0, "\(r.stderr)")
        }
        let pending = try reconcile(bench)
        #expect(pending.stdout.contains("\(cancelledKey): left open"), "a pending job keeps its reservation: \(pending.stdout)")
        #expect(pending.stdout.contains("\(forgottenKey): released"))
        try bench.client(["cancel", "lab-\(job)"])
        try bench.waitForJob(job, in: ["canceled"])
        let after = try reconcile(bench)
        #expect(after.stdout.contains("\(cancelledKey): released"), "\(after.stdout)")
        #expect(try bench.wallet() == "1.00 EUR")
        #expect(try bench.ledgerKinds().filter { $0 == "release" }.count == 2)
    }
}

extension EnforcementEndToEndTests {
    @Test func disabledActiveAccountHoldsTheJobWithWhatToDo() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try #require(try bench.tollgate(["account", "add", "Physics", "--code", "PHY", "--global", "--unlimited"]).status == 0)
        try #require(try bench.tollgate(["active", "set", "Physics", "--user", "root"]).status == 0)
        try #require(try bench.tollgate(["account", "disable", "Physics"]).status == 0)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        let held = try bench.waitForJob(job, in: ["pending-held", "completed", "aborted"])
        #expect(held.state == "pending-held")
        #expect(held.message.contains("your active account"), "\(held.message)")
        #expect(held.message.contains("Physics"))
        #expect(held.message.contains("cannot be used: the account is disabled"))
        #expect(try bench.receivedDocuments().isEmpty)
    }

    @Test func softLimitWarningReachesTheLog() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try #require(try bench.tollgate(["account", "add", "Lab", "--code", "LAB", "--global", "--soft", "0.05", "--hard", "1.00"]).status == 0)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        #expect(try bench.waitForJob(job, in: ["completed", "pending-held", "aborted"]).state == "completed")
        #expect(bench.errorLog.contains("[Job \(job)] Tollgate: account Lab: 0.06 EUR used, above the soft limit of 0.05 EUR"))
    }
}

extension EnforcementEndToEndTests {
    /// Bytes Tollgate cannot analyse have no honest bound on what they print: the job is held
    /// with the reason, never charged a flat fallback by accident. The administrator may choose
    /// the card's fallback for the queue; the released job then prints and pays it.
    @Test func documentTollgateCannotReadIsHeldUntilTheAdministratorChoosesTheFallback() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.useSocketPrinter("lab")                 // a printer that takes any bytes
        try bench.tollgate(["topup", "root", "2.00"])
        let docs = try TemporaryDirectory()
        var noise = [UInt8](repeating: 0, count: 20_000)
        for i in noise.indices { noise[i] = UInt8(truncatingIfNeeded: (i &* 7919) ^ (i >> 3)) }
        let file = docs.path + "/noise.bin"
        try Data(noise).write(to: URL(fileURLWithPath: file))
        let job = try bench.submit(file, queue: "lab", options: ["raw"])
        let held = try bench.waitForJob(job, in: ["completed", "pending-held", "aborted"])
        #expect(held.state == "pending-held", "\(held)")
        #expect(held.message.contains("format is not one Tollgate recognises") && held.message.contains("tollgate-unanalysable-default=fallback"), "\(held)")
        #expect(try bench.socketReceived().isEmpty, "nothing printed")
        #expect(try bench.wallet() == "2.00 EUR")

        try bench.client(["lpadmin", "-p", "lab", "-o", "tollgate-unanalysable-default=fallback"])
        try bench.client(["lp", "-i", "\(job)", "-H", "resume"])
        #expect(try bench.waitForJob(job, in: ["completed", "pending-held", "aborted"]).state == "completed")
        #expect(try bench.socketReceived().map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == [Data(noise)], "every byte printed")
        // rates/example.toml: unknown_format = "1.00" per copy.
        #expect(try bench.wallet() == "1.00 EUR")
    }

    /// A cancel once every byte reached a socket printer is charged in full: the printer prints
    /// what it has, and the cancel cannot reach it.
    @Test func aCancelAfterEveryByteReachedASocketPrinterIsCharged() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.useSocketPrinter("lab")
        try bench.lingerSocketPrinter(20)
        try bench.tollgate(["topup", "root", "5.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 10, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        let deadline = Date().addingTimeInterval(30)
        while !bench.errorLog.contains("[Job \(job)] Waiting for printer to finish.") && Date() < deadline { usleep(100_000) }
        try #require(bench.errorLog.contains("[Job \(job)] Waiting for printer to finish."), "the socket backend sent the last byte")
        try bench.client(["cancel", "\(job)"])
        _ = try bench.waitForJob(job, in: ["canceled"])
        let finished = Date().addingTimeInterval(15)
        while try bench.ledgerKinds().count < 3 && Date() < finished { usleep(100_000) }
        #expect(try bench.socketReceived().map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == [try Data(contentsOf: URL(fileURLWithPath: pdf))],
                "the printer has every byte")
        // 10 A4 mono sides 0.50 + 10 sheets 0.05 = 0.55 EUR.
        #expect(try bench.ledgerKinds() == ["top-up", "reserve", "debit"], "charged, not refunded")
        #expect(try bench.wallet() == "4.45 EUR")
    }

    /// The IPP printer refuses a document it cannot print ("Unable to add document to print
    /// job"; the ipp backend still exits 0): nothing printed, nothing charged.
    @Test func aDocumentThePrinterRefusesIsNotCharged() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.tollgate(["topup", "root", "2.00"])
        let docs = try TemporaryDirectory()
        // Plain text: Tollgate counts it, the printer (PDF, PostScript, raster, JPEG) refuses it.
        let file = try docs.write("note.txt", "A note the printer cannot print.\n")
        let job = try bench.submit(file, queue: "lab", options: ["raw"])
        _ = try bench.waitForJob(job, in: ["completed", "pending-held", "aborted", "canceled"])
        #expect(bench.errorLog.contains("Unable to add document to print job"), "the printer refused it")
        #expect(try bench.receivedDocuments().isEmpty, "nothing printed")
        #expect(try bench.wallet() == "2.00 EUR", "nothing charged")
        #expect(try bench.ledgerKinds() == ["top-up", "reserve", "release"])
    }

    @Test func missingDatabaseHoldsTheJobWithTheReason() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=track"])
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: bench.database + suffix) }
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        let held = try bench.waitForJob(job, in: ["pending-held", "completed", "aborted"])
        #expect(held.state == "pending-held", "never printed uncharged, even on a track queue")
        #expect(held.message.contains("quota database is unavailable"), "\(held.message)")
        #expect(try bench.receivedDocuments().isEmpty)
    }
}

extension EnforcementEndToEndTests {
    /// On a queue with filters (IPP Everywhere PPD), cupsd's pdftopdf lays out number-up and page
    /// ranges before the backend sees the job, and argv[4] says how many copies the printer
    /// makes: the charge is what comes out of the printer.
    @Test(arguments: [
        // (lp options, copies, expected wallet after 5.00): example card: 0.05 a mono side, 0.005 a sheet.
        (["number-up=2"], 1, "4.89"),          // 4 pages → 2 sides: 0.10 + 0.01
        (["page-ranges=1-3"], 1, "4.83"),      // 3 sides: 0.15 + 0.015 → 0.17
        (["number-up=2"], 2, "4.78"),          // 2 sides × 2 copies: 0.20 + 0.02
    ])
    func filteredJobIsChargedWhatThePrinterPrints(options: [String], copies: Int, wallet expected: String) throws {
        for kind in ["everywhere", "ppd:drv:///sample.drv/generic.ppd"] {
            try chargeOnFilteredQueue(kind: kind, options: options, copies: copies, wallet: expected)
        }
    }

    /// Drivers whose output Tollgate cannot count exactly (PCL XL from the pxlcolor/pxlmono PPDs,
    /// PCL 5 raster from the sample LaserJet driver): the backend prices the document as its owner sent
    /// it (cupsd's spool), with every job option, so the charge is what `tollgate quote` says for
    /// that document and those options, not the card's fallback for unknown formats.
    @Test(arguments: ["ppd:lsb/usr/cupsfilters/pxlcolor.ppd", "ppd:lsb/usr/cupsfilters/pxlmono.ppd",
                      "ppd:drv:///sample.drv/laserjet.ppd"])
    func driverOutputIsPricedFromTheDocumentAsSent(kind: String) throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: kind, options: Self.quota)
        try bench.useSocketPrinter("lab")                 // a PCL printer: it takes the driver's bytes
        try bench.tollgate(["topup", "root", "5.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 5, colorPages: [2], in: docs.path)
        let mode = kind.contains("pxlcolor") ? "auto" : "monochrome"          // the mono drivers' queues print grey
        // cupsd's pdftopdf selects page ranges among the 2-up sides: sides 1-2 are pages 1-4,
        // which is what `tollgate quote` (IPP's order: pages first) prices for pages 1-4.
        let quote = try bench.tollgate(["quote", pdf, "--card", bench.ratesDirectory + "/default.toml", "--number-up", "2",
                                        "--page-ranges", "1-4", "--copies", "2", "--color-mode", mode, "--json"])
        let quoted = try #require(try JSONSerialization.jsonObject(with: Data(quote.stdout.utf8)) as? [String: Any], "\(quote.stderr)")
        let price = try #require(quoted["total"] as? String, "\(quoted)")
        let job = try bench.submit(pdf, queue: "lab", options: ["number-up=2", "page-ranges=1-2", "copies=2"])
        let done = try bench.waitForJob(job, in: ["completed", "aborted", "pending-held", "stopped"], timeout: 120)
        #expect(done.state == "completed", "\(kind): \(done)")
        #expect(bench.errorLog.contains("is not counted exactly; priced from the document as it was sent"), "\(kind)")
        let paid = try #require(Decimal(string: String(price.split(separator: " ")[0])))
        #expect(try bench.socketReceived().count == 1, "the printer has the job")
        #expect(try bench.wallet() == "\(Decimal(5) - paid) EUR", "\(kind): quoted \(price)")
        #expect(!price.hasPrefix("2.00"), "not the fallback (1.00 per copy)")
    }

    /// `lp a.pdf b.pdf` is one job of two documents: both are priced, each on its own sheets.
    @Test func everyDocumentOfAJobIsPricedFromTheSpool() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "ppd:lsb/usr/cupsfilters/pxlmono.ppd", options: Self.quota)
        try bench.useSocketPrinter("lab")
        try bench.tollgate(["topup", "root", "5.00"])
        let docs = try TemporaryDirectory()
        let first = try TestDocuments.pdf(pages: 3, in: docs.path, name: "a.pdf")
        let second = try TestDocuments.pdf(pages: 2, in: docs.path, name: "b.pdf")
        let submitted = try bench.client(["lp", "-d", "lab", first, second])
        let job = try #require(submitted.stdout.split(separator: " ").first { $0.hasPrefix("lab-") }
            .flatMap { Int($0.split(separator: "-").last ?? "") }, "\(submitted.stdout) \(submitted.stderr)")
        let done = try bench.waitForJob(job, in: ["completed", "aborted", "pending-held", "stopped"], timeout: 120)
        #expect(done.state == "completed", "\(done)")
        // 3 + 2 = 5 A4 mono sides at 0.05 and 5 sheets at 0.005: 0.275 → 0.28.
        #expect(try bench.wallet() == "4.72 EUR")
    }

    /// `kind`: an IPP Everywhere queue (PDF or raster to the printer), or the Generic PostScript
    /// PPD (pdftops/pstops; copies made by the printer or by pstops).
    func chargeOnFilteredQueue(kind: String, options: [String], copies: Int, wallet expected: String) throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: kind, options: Self.quota)
        try bench.useSocketPrinter("lab")                 // a PCL printer: it takes the driver's bytes
        try bench.tollgate(["topup", "root", "5.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 4, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab", options: options + ["copies=\(copies)"])
        let done = try bench.waitForJob(job, in: ["completed", "aborted", "pending-held", "stopped"], timeout: 120)
        #expect(done.state == "completed", "\(kind): \(done)")
        #expect(try bench.wallet() == "\(expected) EUR", "\(kind): \(options) × \(copies)")
    }
}
