import CupsClient
import Foundation
import Testing
import TestSupport

/// The IPP client against a real private cupsd: where queue policy and job identity come from.
@Suite(.serialized) struct CupsClientTests {
    @Test func readsQueuePolicySetWithLpadmin() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=quota", "-o", "tollgate-rates-default=example"])
        let client = try CupsClient(server: bench.values["CUPS_SERVER"]!)
        let printer = try client.printerAttributes("lab", names: ["tollgate-mode-default", "tollgate-rates-default", "device-uri", "printer-name"])
        #expect(printer.string("tollgate-mode-default") == "quota")
        #expect(printer.string("tollgate-rates-default") == "example")
        #expect(printer.string("device-uri") == "tollgate:\(bench.printerURI(1))")
        #expect(printer.string("printer-name") == "lab")
        let all = try client.printerAttributes("lab")
        #expect(all.string("tollgate-mode-default") == "quota")
    }

    @Test func userJobOptionsStayJobAttributesAndNeverBecomePolicy() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: ["-o", "tollgate-mode-default=quota"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        try bench.client(["cupsdisable", "lab"])   // keep the job pending while we look at it
        let job = try bench.submit(pdf, queue: "lab", options: ["tollgate-mode-default=track", "tollgate-mode=track"])
        let client = try CupsClient(server: bench.values["CUPS_SERVER"]!)
        let printer = try client.printerAttributes("lab", names: ["tollgate-mode-default"])
        #expect(printer.string("tollgate-mode-default") == "quota")
        let attributes = try client.jobAttributes(job)
        #expect(attributes.integer("job-id") == job)
        #expect(attributes.string("job-uuid")?.hasPrefix("urn:uuid:") == true)
        #expect(attributes.string("job-originating-user-name") == "root")
        #expect(attributes.integer("time-at-creation") != nil)
        #expect(attributes.string("tollgate-mode") == "track", "a user can set this: it must never be read as policy")
    }

    @Test func unknownJobAndPrinterAreClearErrors() throws {
        let bench = try CupsBench()
        let client = try CupsClient(server: bench.values["CUPS_SERVER"]!)
        #expect(throws: CupsClientError.self) { try client.jobAttributes(4242) }
        #expect(throws: CupsClientError.self) { try client.printerAttributes("no-such-queue") }
    }

    @Test func unreachableServerIsAClearError() throws {
        #expect {
            try CupsClient(server: "/nonexistent/cups.sock", timeoutMilliseconds: 2000)
        } throws: { error in
            (error as? CupsClientError).map { "\($0)".contains("/nonexistent/cups.sock") } ?? false
        }
    }
}
