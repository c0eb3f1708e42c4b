import CupsClient
import Foundation
import IPPWire
import Testing
import TestSupport

/// The backend's libcups-free reader against a real private cupsd: it must read exactly what
/// libcups reads, over the domain socket and over TCP, and answer cupsd's PeerCred challenge.
@Suite(.serialized) struct CupsdConnectionTests {
    /// Attributes that change by themselves between two requests.
    static func isVolatile(_ name: String) -> Bool {
        name.contains("time") || name.contains("date") || name == "printer-state-message" || name.contains("job-count")
    }

    static func stable(_ attributes: IPPAttributes) -> [String: [IPPValue]] {
        Dictionary(uniqueKeysWithValues: attributes.names.filter { !isVolatile($0) }.map { ($0, attributes.values($0)) })
    }

    @Test func readsWhatLibcupsReads() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "everywhere", options: ["-o", "tollgate-mode-default=release", "-o", "tollgate-rates-default=lab"])
        let docs = try TemporaryDirectory()
        let pdf = docs.path + "/Thèse <b>&.pdf"                      // lp names the job after the file
        try FileManager.default.moveItem(atPath: try TestDocuments.pdf(pages: 2, in: docs.path), toPath: pdf)
        try bench.client(["cupsdisable", "lab"])                       // keep the job pending
        let job = try bench.submit(pdf, queue: "lab", options: ["sides=two-sided-long-edge", "media=iso_a4_210x297mm", "number-up=2"])
        let server = bench.values["CUPS_SERVER"]!
        let libcups = try CupsClient(server: server)
        let wire = try CupsdConnection(server: server)

        let printerByLibcups = try libcups.printerAttributes("lab")
        let printerByWire = try wire.printerAttributes("lab")
        #expect(printerByWire.names.count > 50, "an IPP Everywhere queue has many attributes")
        #expect(printerByWire.string("tollgate-mode-default") == "release")
        #expect(CupsdConnectionTests.stable(printerByWire) == CupsdConnectionTests.stable(printerByLibcups))
        // media-col-default and friends: nested collections decoded alike.
        #expect(printerByWire.values("media-col-default") == printerByLibcups.values("media-col-default"))
        #expect(printerByWire.values("media-col-default").isEmpty == false)

        let jobByLibcups = try libcups.jobAttributes(job)
        let jobByWire = try wire.jobAttributes(job)
        #expect(jobByWire.string("job-originating-user-name") == "root")
        #expect(jobByWire.string("job-name") == "Thèse <b>&.pdf")
        #expect(jobByWire.integer("number-up") == 2)
        #expect(CupsdConnectionTests.stable(jobByWire) == CupsdConnectionTests.stable(jobByLibcups))

        let named = try wire.jobAttributes(job, names: ["job-id", "time-at-creation", "sides"])
        #expect(Set(named.names) == ["job-id", "time-at-creation", "sides"])
        #expect(named.string("sides") == "two-sided-long-edge")

        // One connection, kept alive, serves request after request.
        for _ in 0..<20 { #expect(try wire.jobAttributes(job, names: ["job-id"]).integer("job-id") == job) }

        // The same over TCP on loopback, as when cupsd has no domain socket.
        let address = "127.0.0.1:\(bench.values["CUPS_PORT"]!)"
        let tcp = try CupsdConnection(server: address)
        let jobOverTCP = CupsdConnectionTests.stable(try tcp.jobAttributes(job))
        let jobOverTCPByLibcups = CupsdConnectionTests.stable(try CupsClient(server: address).jobAttributes(job))
        #expect(jobOverTCP == jobOverTCPByLibcups,
                "\(jobOverTCP.filter { jobOverTCPByLibcups[$0.key] != $0.value }) vs \(jobOverTCPByLibcups.filter { jobOverTCP[$0.key] != $0.value })")
        #expect(try tcp.printerAttributes("lab", names: ["tollgate-rates-default"]).string("tollgate-rates-default") == "lab")
    }

    @Test func unknownJobPrinterAndServerAreClearErrors() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw")
        let wire = try CupsdConnection(server: bench.values["CUPS_SERVER"]!)
        #expect(throws: CupsClientError.self) { try wire.jobAttributes(4242) }
        do {
            _ = try wire.printerAttributes("no-such-queue")
            Issue.record("an unknown queue was answered")
        } catch {
            guard case .notFound(let operation, let message) = error else { Issue.record("\(error)"); return }
            #expect(operation == "Get-Printer-Attributes")
            #expect(!message.isEmpty)
        }
        // The connection is still usable after an error status.
        #expect(try wire.printerAttributes("lab", names: ["printer-name"]).string("printer-name") == "lab")
        do {
            _ = try CupsdConnection(server: "/nonexistent/cups.sock", timeoutMilliseconds: 2000)
            Issue.record("connected to a socket that does not exist")
        } catch {
            #expect("\(error)".contains("/nonexistent/cups.sock"))
        }
    }

    /// cupsd asks for authentication on its domain socket: the reader answers with PeerCred, which
    /// cupsd checks against the socket's peer (root here).
    @Test func answersAPeerCredChallenge() throws {
        let bench = try CupsBench()
        // A policy that makes reading a queue's attributes an authenticated, @SYSTEM-only operation.
        let policy = """
        <Policy authenticated-reads>
          <Limit Get-Printer-Attributes Get-Job-Attributes>
            AuthType Default
            Require user @SYSTEM
            Order deny,allow
          </Limit>
          <Limit All>
            Order deny,allow
          </Limit>
        </Policy>

        """
        try bench.reconfigure("cupsd.conf") { $0 + policy }
        try bench.addQueue("guarded", kind: "raw", options: ["-o", "printer-op-policy=authenticated-reads"])

        // Over TCP there is no PeerCred: cupsd's challenge is a clear error.
        let tcp = try CupsdConnection(server: "127.0.0.1:\(bench.values["CUPS_PORT"]!)")
        do {
            _ = try tcp.printerAttributes("guarded", names: ["printer-name"])
            Issue.record("cupsd answered an unauthenticated read the policy guards")
        } catch {
            guard case .authenticationRequired = error else { Issue.record("\(error)"); return }
        }
        // lpadmin authenticated with PeerCred too: count cupsd's log lines around our request.
        let peerCredLines = { bench.errorLog.components(separatedBy: "Authorized as root using PeerCred").count }
        let before = peerCredLines()
        let wire = try CupsdConnection(server: bench.values["CUPS_SERVER"]!)
        let printer = try wire.printerAttributes("guarded", names: ["printer-name", "printer-op-policy"])
        #expect(printer.string("printer-name") == "guarded")
        #expect(printer.string("printer-op-policy") == "authenticated-reads")
        #expect(peerCredLines() == before + 1, "cupsd authenticated the reader by its peer credentials")
        // Once challenged, the connection sends its credentials at once: no second challenge.
        let challenges = { bench.errorLog.components(separatedBy: "WWW-Authenticate:").count }
        let challengedBefore = challenges()
        #expect(try wire.printerAttributes("guarded", names: ["printer-name"]).string("printer-name") == "guarded")
        #expect(peerCredLines() == before + 2)
        #expect(challenges() == challengedBefore)
    }
}
