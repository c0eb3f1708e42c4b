import Foundation
import QuotaDB
import Testing
import TestSupport

/// Mail to users, end to end: the backend puts a message in the outbox when it holds a job,
/// tollgated sends it to a real SMTP server on loopback (aiosmtpd, Debian's python3-aiosmtpd,
/// keeping a Maildir), and a user who opted out gets nothing. The job is never held up by mail.
@Suite(.serialized) struct MailEndToEndTests {
    /// An SMTP server on a free loopback port that stores what it gets in `maildir`.
    final class SMTPSink {
        let process: RunningProcess
        let port: Int
        let maildir: String

        init(in directory: String) throws {
            maildir = directory + "/maildir"
            port = try Loopback.freePort()
            process = try RunningProcess(["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)",
                                          "-c", "aiosmtpd.handlers.Mailbox", maildir])
            let deadline = Date().addingTimeInterval(20)
            while !FileManager.default.fileExists(atPath: maildir + "/new") && Date() < deadline { usleep(100_000) }
            usleep(300_000)
        }

        /// The messages received so far.
        func messages() -> [String] {
            let dir = maildir + "/new"
            return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
                .compactMap { try? String(contentsOfFile: dir + "/" + $0, encoding: .utf8) }
        }

        deinit { process.signal(SIGTERM); _ = try? process.wait(timeout: 5) }
    }

    @Test func aJobHeldForFundsIsMailedToItsOwnerAndOptOutIsHonoured() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=quota"])
        let dana = try SystemUser(prefix: "tgmail"), omar = try SystemUser(prefix: "tgquiet")
        try bench.tollgate(["user", "edit", dana.name, "--email", "\(dana.name)@example.edu"])
        try bench.tollgate(["user", "edit", omar.name, "--notify", "off"])
        let sink = try SMTPSink(in: bench.state.path)
        let station = try TollgatedProcess(bench: bench, extra: ["--mail", "127.0.0.1:\(sink.port)", "--mail-interval", "1",
                                                                 "--email-domain", "example.edu"])
        defer { station.stop() }
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 2, in: docs.path)
        let held = try bench.submit(pdf, queue: "lab", title: "Essay \u{1B}[31mfinal", user: dana)
        #expect(try bench.waitForJob(held, in: ["pending-held", "completed", "aborted"]).state == "pending-held")
        let quiet = try bench.submit(pdf, queue: "lab", user: omar)
        #expect(try bench.waitForJob(quiet, in: ["pending-held", "completed", "aborted"]).state == "pending-held")
        let deadline = Date().addingTimeInterval(20)
        while sink.messages().isEmpty && Date() < deadline { usleep(200_000) }
        usleep(2_000_000)   // a round more, for any message that should not come
        let messages = sink.messages()
        let log = (try? String(contentsOfFile: station.log, encoding: .utf8)) ?? ""
        let outbox = try SQLQuotaStore(location: DatabaseLocation(path: bench.database)).pendingNotifications(limit: 10)
        try #require(messages.count == 1, "one mail, to dana only: \(messages); still in the outbox: \(outbox.map { "\($0.user) \($0.kind) after \($0.attempts) tries" }); tollgated: \(log.suffix(1500))")
        let mail = messages[0]
        #expect(mail.contains("To: \(dana.name)@example.edu"))
        #expect(mail.contains("Subject: Print job held: Essay [31mfinal"), "no control character from the title: \(mail)")
        #expect(!mail.contains("\u{1B}"))
        #expect(mail.contains("this job costs 0.11 EUR") && mail.contains("top up at least 0.11 EUR"), "\(mail)")
    }
}
