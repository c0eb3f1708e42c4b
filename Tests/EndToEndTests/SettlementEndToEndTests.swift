import Foundation
import Testing
import TestSupport

/// What a job is charged is what the printer printed (see `Settlement`): each case submits a
/// real job as root (PeerCred) on the bench and checks what the printer received or counted
/// next to what the ledger charged. The example card: A4 mono 0.05 a side, 0.005 a sheet.
@Suite(.serialized) struct SettlementEndToEndTests {
    static let quota = ["-o", "tollgate-mode-default=quota"]

    /// Waits until the ledger has `count` rows (the backend settles after cupsd has the job's end).
    func waitForLedger(_ bench: CupsBench, rows count: Int, timeout: TimeInterval = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try bench.ledgerKinds().count < count && Date() < deadline { usleep(100_000) }
    }

    /// An integer attribute of job `id` at `uri` (cupsd's, or the virtual printer's own job), over IPP.
    func jobInteger(_ name: String, job id: Int, at uri: String, user: String = "root") throws -> Int? {
        let docs = try TemporaryDirectory()
        let test = try docs.write("get.test", """
        {
          OPERATION Get-Job-Attributes
          GROUP operation-attributes-tag
          ATTR charset attributes-charset utf-8
          ATTR naturalLanguage attributes-natural-language en
          ATTR uri printer-uri $uri
          ATTR integer job-id \(id)
          ATTR name requesting-user-name \(user)
          ATTR keyword requested-attributes \(name)
          DISPLAY \(name)
        }
        """)
        let result = try ProcessRunner.run(["ipptool", "-c", uri, test])
        let lines = result.stdout.split(separator: "\n")
        return lines.count >= 2 ? Int(lines[1].trimmingCharacters(in: .whitespaces)) : nil
    }

    /// The printer takes the job, makes 2 of its 5 impressions and aborts it (a jam it gives up
    /// on): the ipp backend may exit 0 all the same. Charged the 2 impressions' share, not 5.
    @Test func aJobThePrinterAbortsIsChargedWhatItCounted() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        // It reports its count while it prints (the ipp backend polls it after 1, 1, 2 … s), then gives up.
        try bench.setPrintCommand("echo 'ATTR: job-impressions-completed=2' >&2\nsleep 4\nexit 1")
        try bench.tollgate(["topup", "root", "5.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 5, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        _ = try bench.waitForJob(job, in: ["completed", "aborted", "canceled", "stopped", "pending-held"])
        try waitForLedger(bench, rows: 4)
        #expect(try bench.receivedDocuments().count == 1, "the printer had the document")
        #expect(try jobInteger("job-impressions-completed", job: 1, at: bench.printerURI(1)) == 2, "the printer made 2 impressions")
        // 5 sides and sheets cost 0.275 → 0.28; 2 of 5 impressions: 0.28 × 2/5 = 0.112 → 0.12.
        let kinds = try bench.ledgerKinds()
        #expect(kinds == ["top-up", "reserve", "release", "debit"], "the rest of the reservation released")
        let balance = try bench.wallet()
        #expect(balance == "4.88 EUR")
        #expect(try bench.tollgate(["check"]).status == 0)
    }

    /// The printer aborts the job before any impression: nothing printed, nothing charged.
    @Test func aJobThePrinterAbortsBeforePrintingIsNotCharged() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.setPrintCommand("exit 1")
        try bench.tollgate(["topup", "root", "5.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 5, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        _ = try bench.waitForJob(job, in: ["completed", "aborted", "canceled", "stopped", "pending-held"])
        try waitForLedger(bench, rows: 3)
        #expect(try bench.receivedDocuments().count == 1, "the printer had the document")
        let kinds = try bench.ledgerKinds()
        #expect(kinds == ["top-up", "reserve", "release"])
        let balance = try bench.wallet()
        #expect(balance == "5.00 EUR")
    }

    /// A cancel while the IPP printer prints: the ipp backend cancels the printer's job and
    /// exits 0. Charged what the printer says it made (1 of 5 impressions), not all, not nothing.
    @Test func anIPPCancelIsChargedWhatThePrinterCounted() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        let marker = bench.dir + "/printing-started"
        try bench.setPrintCommand("echo 'ATTR: job-impressions-completed=1' >&2\ntouch '\(marker)'\nsleep 30\nexit 0")
        try bench.tollgate(["topup", "root", "5.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 5, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab")
        // The printer counts 1 impression; the ipp backend polls the printer's job (after 1, 1, 2,
        // 3, 5 s) and passes its count on as `PAGE: total 1`. (cupsd's own count is no sign: the
        // ipp backend also says `PAGE: 1 1` once it has sent a file, printed or not.)
        let deadline = Date().addingTimeInterval(30)
        while try jobInteger("job-impressions-completed", job: 1, at: bench.printerURI(1)) ?? 0 < 1 && Date() < deadline { usleep(200_000) }
        try #require(FileManager.default.fileExists(atPath: marker), "the printer started printing")
        try #require(try jobInteger("job-impressions-completed", job: 1, at: bench.printerURI(1)) == 1, "the printer counted 1")
        sleep(6)
        try bench.client(["cancel", "\(job)"])
        _ = try bench.waitForJob(job, in: ["canceled", "completed", "aborted"])
        try waitForLedger(bench, rows: 4)
        // 0.28 × 1/5 = 0.056 → 0.06.
        let kinds = try bench.ledgerKinds()
        #expect(kinds == ["top-up", "reserve", "release", "debit"])
        let balance = try bench.wallet()
        #expect(balance == "4.94 EUR")
        #expect(try bench.tollgate(["check"]).status == 0)
    }

    /// A raw queue sends the document's bytes as they are: number-up and page ranges asked for
    /// with `lp -o` change nothing on paper, so they change nothing in the price. On a socket
    /// printer and on the IPP Everywhere printer (`lp -o raw`; it does not implement number-up).
    @Test(arguments: ["socket", "ipp"])
    func layoutOptionsNobodyAppliesArePricedAsSent(printer: String) throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: printer == "ipp" ? "everywhere" : "raw", options: Self.quota)
        if printer == "socket" { try bench.useSocketPrinter("lab") }
        try bench.tollgate(["topup", "root", "5.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 30, in: docs.path)
        let job = try bench.submit(pdf, queue: "lab", options: ["raw", "number-up=16", "page-ranges=1"])
        let done = try bench.waitForJob(job, in: ["completed", "aborted", "canceled", "stopped", "processing-stopped", "pending-held"], timeout: 90)
        #expect(done.state == "completed", "\(done)")
        let received = printer == "socket" ? try bench.socketReceived() : try bench.receivedDocuments()
        try #require(received.count == 1, "the printer has the job")
        #expect(try Data(contentsOf: URL(fileURLWithPath: received[0])) == Data(contentsOf: URL(fileURLWithPath: pdf)),
                "the printer received all 30 pages as sent")
        // 30 sides 1.50 + 30 sheets 0.15 = 1.65 EUR, not 2 sides' 0.11 nor 1 page's 0.06.
        let balance = try bench.wallet()
        #expect(balance == "3.35 EUR")
    }

    /// Documents the filters cannot convert (a PDF pdftopdf cannot read; PostScript that starts
    /// with Ctrl-D, which the PostScript filters cannot read) leave the filters with nothing for
    /// the printer: not priced, not charged, and nothing on record says "already printed".
    @Test(arguments: ["broken.pdf", "ctrl-d.ps"])
    func aJobWhoseFiltersSendNothingIsNotCharged(document: String) throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "everywhere", options: Self.quota)
        try bench.tollgate(["topup", "root", "5.00"])
        let docs = try TemporaryDirectory()
        let file = document == "broken.pdf"
            ? try docs.write(document, "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
            : try docs.write(document, "\u{04}%!PS-Adobe-3.0\n/Helvetica findfont 20 scalefont setfont 72 72 moveto (hi) show showpage\n")
        let job = try bench.submit(file, queue: "lab")
        _ = try bench.waitForJob(job, in: ["completed", "aborted", "canceled", "stopped", "processing-stopped", "pending-held"], timeout: 90)
        #expect(try bench.receivedDocuments().allSatisfy { ((try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0) == 0 },
                "no page reached the printer")
        let kinds = try bench.ledgerKinds()
        #expect(kinds == ["top-up"], "nothing charged, nothing reserved")
        let balance = try bench.wallet()
        #expect(balance == "5.00 EUR")
    }

    /// A raw PCL job that asks for 3 copies itself, sent with `lp -n 2`: the socket backend sends
    /// the file twice, and the printer makes 3 of each: 6 copies charged, as `tollgate quote`
    /// prices 6 copies of it.
    @Test func aRawJobsCopiesMultiplyTheDocumentsOwn() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        try bench.useSocketPrinter("lab")
        try bench.tollgate(["topup", "root", "20.00"])
        let docs = try TemporaryDirectory()
        let pcl = try docs.write("copies.pcl", "\u{1B}%-12345X@PJL SET COPIES=3\r\n@PJL ENTER LANGUAGE=PCL\r\n\u{1B}E\u{1B}&l26Apage one\u{0C}page two\u{0C}\u{1B}E\u{1B}%-12345X")
        let quote = try bench.tollgate(["quote", pcl, "--card", bench.ratesDirectory + "/default.toml", "--copies", "6", "--json"])
        let quoted = try #require(try JSONSerialization.jsonObject(with: Data(quote.stdout.utf8)) as? [String: Any], "\(quote.stderr)")
        let price = try #require((quoted["total"] as? String).flatMap { Decimal(string: String($0.split(separator: " ")[0])) }, "\(quoted)")
        let job = try bench.submit(pcl, queue: "lab", options: ["raw", "copies=2"])
        let done = try bench.waitForJob(job, in: ["completed", "aborted", "canceled", "stopped", "pending-held"])
        #expect(done.state == "completed", "\(done)")
        let received = try bench.socketReceived()
        try #require(received.count == 1)
        let sent = try Data(contentsOf: URL(fileURLWithPath: pcl))
        #expect(try Data(contentsOf: URL(fileURLWithPath: received[0])) == sent + sent, "the printer got the file twice")
        let balance = try bench.wallet()
        #expect(balance == "\(Decimal(20) - price) EUR", "6 copies: \(price)")
    }
}
