import IPPWire
import Testing
@testable import Enforcement

@Suite struct JobIdentityTests {
    let base: [String: [IPPValue]] = [
        "job-id": [.integer(17)], "time-at-creation": [.integer(1_795_000_000)],
        "job-originating-user-name": [.string("alice")], "job-name": [.string("Thesis.pdf")],
        "copies": [.integer(2)], "sides": [.string("two-sided-long-edge")], "number-up": [.integer(2)],
        "print-color-mode": [.string("monochrome")], "media": [.string("iso_a4_210x297mm")],
        "page-ranges": [.range(1...3), .range(7...7)], "document-format": [.string("application/pdf")],
    ]

    @Test func readsTheJob() throws {
        let job = try JobIdentity(jobID: 17, server: "print1", attributes: IPPAttributes(base))
        #expect(job.key == "print1/17/1795000000")
        #expect(job.owner == "alice")
        #expect(job.copies == 2)
        #expect(job.sides == "two-sided-long-edge")
        #expect(job.numberUp == 2)
        #expect(job.printColorMode == "monochrome")
        #expect(job.pageRanges == [1...3, 7...7])
    }

    @Test func clientSuppliedUUIDDoesNotChangeTheKey() throws {
        var forged = base
        forged["job-uuid"] = [.string("urn:uuid:00000000-0000-0000-0000-000000000001")]
        let a = try JobIdentity(jobID: 17, server: "print1", attributes: IPPAttributes(base))
        let b = try JobIdentity(jobID: 17, server: "print1", attributes: IPPAttributes(forged))
        #expect(a.key == b.key)
        #expect(!b.key.contains("uuid"))
    }

    @Test func absentOptionsTakePrintDefaults() throws {
        let minimal: [String: [IPPValue]] = ["job-id": [.integer(3)], "time-at-creation": [.integer(5)],
                                             "job-originating-user-name": [.string("bob")]]
        let job = try JobIdentity(jobID: 3, server: "s", attributes: IPPAttributes(minimal))
        #expect(job.copies == 1 && job.numberUp == 1 && job.sides == "one-sided" && job.pageRanges.isEmpty)
    }

    @Test(arguments: ["job-id", "time-at-creation", "job-originating-user-name"])
    func missingIdentityIsAnError(name: String) {
        var attributes = base
        attributes[name] = nil
        #expect(throws: JobIdentityError.self) { try JobIdentity(jobID: 17, server: "s", attributes: IPPAttributes(attributes)) }
    }

    /// cupsd hides owner and title from root when SystemGroup does not list root; argv[2] and
    /// argv[3] are cupsd's same record.
    @Test func hiddenOwnerAndTitleComeFromCupsdsArguments() throws {
        var attributes = base
        attributes["job-originating-user-name"] = nil
        attributes["job-name"] = nil
        let job = try JobIdentity(jobID: 17, server: "s", attributes: IPPAttributes(attributes),
                                  argumentOwner: "alice", argumentTitle: "Thesis.pdf")
        #expect(job.owner == "alice" && job.name == "Thesis.pdf")
        #expect(throws: JobIdentityError.self) {
            try JobIdentity(jobID: 17, server: "s", attributes: IPPAttributes(attributes), argumentOwner: "", argumentTitle: "x")
        }
        // When cupsd does show them, its attributes are used.
        let shown = try JobIdentity(jobID: 17, server: "s", attributes: IPPAttributes(base), argumentOwner: "mallory", argumentTitle: "x")
        #expect(shown.owner == "alice" && shown.name == "Thesis.pdf")
    }

    @Test func anotherJobsAttributesAreRefused() {
        #expect(throws: JobIdentityError.self) { try JobIdentity(jobID: 18, server: "s", attributes: IPPAttributes(base)) }
    }
}
