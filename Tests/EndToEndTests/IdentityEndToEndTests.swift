import Foundation
import Testing
import TestSupport

/// A job is charged to the user cupsd authenticated, never to a name a client claims: real users
/// (useradd), the queue under Tollgate's cupsd policy, what the printer received next to what
/// the ledger charged.
@Suite(.serialized) struct IdentityEndToEndTests {
    static let quota = ["-o", "tollgate-mode-default=quota"]

    func debits(_ bench: CupsBench) throws -> [(user: String, amount: String)] {
        let result = try bench.tollgate(["ledger", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        return rows.filter { $0["kind"] as? String == "debit" }.map { ($0["user"] as? String ?? "", "\($0["amount"] ?? "")") }
    }

    /// mallory runs `lp -U bob`: cupsd knows her by her Unix id, so the job is hers (or refused),
    /// and bob pays nothing.
    @Test func aClaimedNameIsNotWhoPays() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        let mallory = try SystemUser(prefix: "tgmal"), bob = try SystemUser(prefix: "tgbob")
        try bench.tollgate(["topup", mallory.name, "1.00"])
        try bench.tollgate(["topup", bob.name, "1.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 2, in: docs.path)
        let lp = try bench.client(["lp", "-d", "lab", "-U", bob.name, pdf], as: mallory)
        if lp.status == 0, let job = lp.stdout.split(separator: "-").last?.split(separator: " ").first.flatMap({ Int($0) }) {
            let done = try bench.waitForJob(job, in: ["completed", "aborted", "pending-held", "canceled"])
            #expect(done.state == "completed", "\(done)")
            #expect(try bench.receivedDocuments().count == 1)
            let charged = try debits(bench)
            #expect(charged.map(\.user) == [mallory.name], "the job is mallory's: \(charged)")
        } else {
            #expect(try bench.receivedDocuments().isEmpty, "refused, nothing printed: \(lp.stderr)")
            #expect(try debits(bench).isEmpty)
        }
        #expect(try debits(bench).allSatisfy { $0.user != bob.name }, "bob pays nothing")
        #expect(bench.cupsdDeath() == nil)
    }

    /// Over the network a made-up name gets no job at all: cupsd asks who it is (401) before a
    /// job exists, so nothing is charged, and cupsd 2.4.2-3+deb12u10 (which crashes on a
    /// document sent in an unknown user's name) keeps running.
    @Test func anUnauthenticatedNetworkClientGetsNoJob() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let made = "tgnosuch\(UInt32.random(in: 100_000...999_999))"
        let lp = try ProcessRunner.run(["lp", "-h", "127.0.0.1:\(bench.values["CUPS_PORT"]!)", "-U", made, "-d", "lab", pdf],
                                       environment: ["PATH": "/usr/bin:/bin", "LANG": "C", "CUPS_SERVERROOT": bench.values["CUPS_SERVERROOT"]!],
                                       timeout: 30)
        #expect(lp.status != 0, "refused: \(lp.stdout) \(lp.stderr)")
        #expect(bench.cupsdDeath() == nil, "cupsd still runs")
        #expect(try bench.client(["lpstat", "-o"]).stdout.isEmpty, "no job exists")
        #expect(try bench.receivedDocuments().isEmpty)
    }

    /// A queue whose cupsd policy lets anyone claim any name holds its jobs with what the
    /// administrator does; once they say the site trusts claimed names, the job prints and is charged.
    @Test func aQueueThatDoesNotAuthenticateHoldsItsJobs() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota + ["-o", "printer-op-policy=default"])
        try bench.tollgate(["topup", "root", "1.00"])
        let docs = try TemporaryDirectory()
        let job = try bench.submit(try TestDocuments.pdf(pages: 2, in: docs.path), queue: "lab")
        let held = try bench.waitForJob(job, in: ["pending-held", "completed", "aborted"])
        #expect(held.state == "pending-held", "\(held)")
        #expect(held.message.contains("cupsd did not authenticate who sent it") && held.message.contains("printer-op-policy=tollgate"), "\(held)")
        #expect(try bench.receivedDocuments().isEmpty)
        #expect(try debits(bench).isEmpty)

        try bench.client(["lpadmin", "-p", "lab", "-o", "tollgate-owner-default=claimed"])
        try bench.client(["lp", "-i", "\(job)", "-H", "resume"])
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try bench.receivedDocuments().count == 1)
        #expect(try debits(bench).map(\.user) == ["root"])
    }

    /// A local user's `lpr` prints under Tollgate's policy (cupsd knows them by their Unix id) and
    /// is charged to them.
    @Test func lprPrintsAsTheLocalUserAndChargesThem() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        let carol = try SystemUser(prefix: "tglpr")
        try bench.tollgate(["topup", carol.name, "1.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let lpr = try bench.client(["lpr", "-P", "lab", pdf], as: carol)
        #expect(lpr.status == 0, "\(lpr.stderr)")
        let deadline = Date().addingTimeInterval(30)
        while try debits(bench).isEmpty && Date() < deadline { usleep(100_000) }
        #expect(try bench.receivedDocuments().count == 1)
        #expect(try debits(bench).map(\.user) == [carol.name])
    }

    /// An IPP client over the network: without credentials cupsd asks who it is and no job
    /// exists; with a real user's password (Basic, checked by PAM service cups) the job is that
    /// user's, and they pay for it, whatever requesting-user-name says.
    @Test func anIPPClientPrintsWithItsPasswordAndPaysForIt() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        let dana = try SystemUser(prefix: "tgipp", password: true)
        try bench.tollgate(["topup", dana.name, "1.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let port = bench.values["CUPS_PORT"]!
        func ipptool(_ uri: String) throws -> ProcessResult {
            try ProcessRunner.run(["ipptool", "-t", "-d", "user=root", "-f", pdf, uri, "/usr/share/cups/ipptool/print-job.test"],
                                  environment: ["PATH": "/usr/bin:/bin", "LANG": "C"], timeout: 60)
        }
        let anonymous = try ipptool("ipp://127.0.0.1:\(port)/printers/lab")
        #expect(anonymous.status != 0, "refused without credentials: \(anonymous.stdout)")
        #expect(try bench.client(["lpstat", "-o"]).stdout.isEmpty, "no job exists")
        let authenticated = try ipptool("ipp://\(dana.name):\(dana.password)@127.0.0.1:\(port)/printers/lab")
        #expect(authenticated.status == 0, "\(authenticated.stdout) \(authenticated.stderr)")
        let deadline = Date().addingTimeInterval(30)
        while try debits(bench).isEmpty && Date() < deadline { usleep(100_000) }
        #expect(try bench.receivedDocuments().count == 1)
        #expect(try debits(bench).map(\.user) == [dana.name], "charged to the authenticated user, not to root")
        #expect(bench.cupsdDeath() == nil)
    }
}
