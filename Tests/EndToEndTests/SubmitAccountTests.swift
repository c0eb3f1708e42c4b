import Foundation
import Testing
import TestSupport

/// `lp -o job-account-id=…` (PWG 5100.7) chooses the billing account at submit: charged to it if
/// the job's owner may use it, else held with the reason, never charged to another account.
@Suite(.serialized) struct SubmitAccountTests {
    static let quota = ["-o", "tollgate-mode-default=quota"]

    func debits(_ bench: CupsBench, account: String) throws -> Int {
        let result = try bench.tollgate(["ledger", "--account", account, "--kind", "debit", "--json"])
        return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])?.count ?? -1
    }

    @Test func theAccountNamedAtSubmitPaysOrTheJobWaitsWithTheReason() throws {
        let bench = try CupsBench()
        try bench.addQueue("lab", kind: "raw", options: Self.quota)
        let dana = try SystemUser(prefix: "tgacct")
        // Art (global) is dana's active account (first alphabetically; then the last used);
        // Physics is granted to dana; Chemistry to nobody.
        for (name, code) in [("Art", "ART"), ("Physics", "PHY-7"), ("Chemistry", "CHE")] {
            try #require(try bench.tollgate(["account", "add", name, "--code", code, "--unlimited"]).status == 0)
        }
        try #require(try bench.tollgate(["account", "access", "ART", "--global"]).status == 0)
        try #require(try bench.tollgate(["account", "access", "PHY-7", "--add-user", dana.name]).status == 0)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)

        let plain = try bench.submit(pdf, queue: "lab", user: dana)
        #expect(try bench.waitForJob(plain, in: ["completed", "pending-held", "aborted"]).state == "completed")
        let physics = try bench.submit(pdf, queue: "lab", options: ["job-account-id=PHY-7"], user: dana)
        #expect(try bench.waitForJob(physics, in: ["completed", "pending-held", "aborted"]).state == "completed")
        #expect(try debits(bench, account: "ART") == 1, "the job that named none: the active account")
        #expect(try debits(bench, account: "PHY-7") == 1, "the job that named Physics")

        let chemistry = try bench.submit(pdf, queue: "lab", options: ["job-account-id=CHE"], user: dana)
        let refused = try bench.waitForJob(chemistry, in: ["completed", "pending-held", "aborted"])
        #expect(refused.state == "pending-held")
        #expect(refused.message.contains("job-account-id") && refused.message.contains("Chemistry") && refused.message.contains("cannot be used"), "\(refused.message)")
        #expect(refused.message.contains("lp -o job-account-id="), "what to do: \(refused.message)")
        let unknown = try bench.submit(pdf, queue: "lab", options: ["job-account-id=NOPE"], user: dana)
        let missing = try bench.waitForJob(unknown, in: ["completed", "pending-held", "aborted"])
        #expect(missing.state == "pending-held")
        #expect(missing.message.contains("job-account-id") && missing.message.contains("NOPE") && missing.message.contains("is not an account"), "\(missing.message)")
        #expect(try bench.receivedDocuments().count == 2, "only the two paid jobs printed")
        #expect(try debits(bench, account: "ART") + debits(bench, account: "PHY-7") == 2, "nothing charged to another account instead")

        // Once an administrator grants Chemistry, the held job prints, charged to Chemistry.
        try #require(try bench.tollgate(["account", "access", "CHE", "--add-user", dana.name]).status == 0)
        try bench.client(["lp", "-i", "\(chemistry)", "-H", "resume"])
        #expect(try bench.waitForJob(chemistry, in: ["completed", "pending-held", "aborted"]).state == "completed")
        #expect(try debits(bench, account: "CHE") == 1)
        #expect(try bench.tollgate(["check"]).status == 0)
    }
}
