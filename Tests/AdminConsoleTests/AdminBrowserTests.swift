import Foundation
import Testing
import TestSupport

/// The console in headless Chromium against the real `tollgated`: a real admin (in a real group
/// made with groupadd) and a real user outside it, signing in with PAM.
@Suite(.serialized) struct AdminBrowserTests {
    /// Where screenshots go: `$TOLLGATE_ARTIFACTS/admin` when set, else the fixture's directory.
    func artifacts(_ fixture: AdminFixture) -> String {
        (ProcessInfo.processInfo.environment["TOLLGATE_ARTIFACTS"].flatMap { $0.isEmpty ? nil : $0 + "/admin" })
            ?? fixture.state.path + "/artifacts"
    }

    @Test func anAdminAddsAnAccountCreditsAUserAndSeesTheReportWhileAnOutsiderGets403() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        let outsider = try SystemUser(prefix: "tgno", password: true)
        defer { outsider.remove() }
        let staff = try SystemGroup(prefix: "tgstaff")
        defer { staff.remove() }
        let student = "tgstudent"
        let card = fixture.ratesDirectory + "/campus.toml"
        let original = try String(contentsOfFile: BuiltProducts.packageRoot.path + "/rates/example.toml", encoding: .utf8)
        try original.write(toFile: card, atomically: true, encoding: .utf8)
        let shots = artifacts(fixture)
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 2, in: docs.path)
        let browser = try ProcessRunner.run(["/usr/bin/python3", BuiltProducts.packageRoot.path + "/Tests/AdminConsoleTests/admin_browser.py",
                                             "console", fixture.baseURL, fixture.admin.name, fixture.admin.password,
                                             outsider.name, outsider.password, staff.name, student, shots, pdf],
                                            environment: ["PATH": "/usr/bin:/bin", "HOME": fixture.state.path, "LANG": "C.UTF-8"],
                                            timeout: 240)
        try #require(browser.status == 0, "browser: \(browser.stderr)\n--- tollgated:\n\(fixture.logText)")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(browser.stdout.utf8)) as? [String: Any])
        #expect((seen["afterSignIn"] as? String)?.hasSuffix("/admin/accounts") == true)
        #expect((seen["softError"] as? String)?.contains("must not be above the hard limit") == true, "\(seen)")
        #expect((seen["addedNotice"] as? String)?.contains("Added account Physics <Lab> & Co") == true, "\(seen)")
        #expect((seen["accountsTable"] as? String)?.contains("soft 50.00 EUR, hard 100.00 EUR") == true, "\(seen)")
        #expect((seen["accountsTable"] as? String)?.contains("groups \(staff.name)") == true, "\(seen)")
        #expect((seen["creditNotice"] as? String)?.contains("Credited \(student): 12.50 EUR") == true, "\(seen)")
        #expect((seen["ledger"] as? String)?.contains("admin:\(fixture.admin.name)") == true, "\(seen)")
        #expect((seen["report"] as? String)?.contains(student) == true, "\(seen)")
        #expect((seen["chart"] as? Int ?? 0) >= 1)
        #expect(seen["csvStatus"] as? Int == 200)
        #expect((seen["csv"] as? String)?.contains("\(student),0,0.00,0.00,0.00,12.50,0.00,EUR") == true, "\(seen)")
        #expect((seen["check"] as? String)?.hasPrefix("Consistent") == true)
        #expect((seen["cardRules"] as? String)?.contains("iso_a4_210x297mm") == true, "\(seen)")
        #expect((seen["cardError"] as? String)?.hasPrefix("The card was not saved: line") == true, "\(seen)")
        #expect(try String(contentsOfFile: card, encoding: .utf8) == original, "the broken card left the file unchanged")
        #expect(seen["quoteTotal"] as? String == "Total: 0.11 EUR", "\(seen)")
        #expect((seen["outsiderPage"] as? String)?.contains("not a member of the admin group") == true, "\(seen)")
        let statuses = try #require(seen["outsiderStatuses"] as? [String: Int])
        #expect(statuses.count == 15)
        for (page, status) in statuses { #expect(status == 403, "\(page): \(status)") }

        // The account as the CLI sees it: restricted to the group, with its limits.
        let shown = try fixture.tollgate(["account", "show", "PHY-LAB"])
        #expect(shown.contains("soft 50.00 EUR") || shown.contains("50.00 EUR"), "\(shown)")
        #expect(shown.contains("group \(staff.name)"), "\(shown)")
        let screenshots = seen["screenshots"] as? [String] ?? []
        #expect(screenshots.count == 11)
        for path in screenshots { #expect(FileManager.default.fileExists(atPath: path), "\(path)") }
    }
}
