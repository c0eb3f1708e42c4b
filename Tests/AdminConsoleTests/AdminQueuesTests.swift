import Foundation
import Testing
import TestSupport

/// The queues page against a real cupsd (a private bench).
@Suite(.serialized) struct AdminQueuesTests {
    @Test func tollgateQueuesShowTheirPolicyAndTheLpadminLineAndABrokenOneItsReason() throws {
        let bench = try CupsBench()
        try bench.addQueue("secure", kind: "raw", options: ["-o", "tollgate-mode-default=release", "-o", "tollgate-rates-default=campus",
                                                            "-o", "tollgate-hold-hours-default=12"])
        try bench.addQueue("typo", kind: "raw", options: ["-o", "tollgate-mode-default=free"])
        let fixture = try AdminFixture(cupsServer: bench.values["CUPS_SERVER"]!)
        defer { fixture.stop() }
        let client = try AdminClient(base: fixture.baseURL)
        #expect(try client.signIn(user: fixture.admin.name, password: fixture.admin.password).status == 303)
        let page = try client.get("/admin/queues")
        #expect(page.status == 200, "\(page.body)\n\(fixture.logText)")
        #expect(page.body.contains("<td>secure</td><td>release</td><td>cover</td><td>campus</td><td class=\"num\">12</td>"), "\(page.body)")
        #expect(page.body.contains("lpadmin -p secure -o tollgate-mode-default=release -o tollgate-rule-default=cover -o tollgate-rates-default=campus -o tollgate-hold-hours-default=12"))
        #expect(page.body.contains("id=\"queue-typo\""))
        #expect(page.body.contains("free"), "the refused value is named")
        #expect(page.body.contains("its jobs are held until this is fixed"))

        // Changed from the console as lpadmin would: checked first, then CUPS-Add-Modify-Printer.
        let bad = try client.submit(from: "/admin/queues", to: "/admin/queues/policy", [
            ("queue", "secure"), ("mode", "quota"), ("rule", "positive"), ("card", ""), ("hours", "0"), ("unanalysable", "hold")])
        #expect(bad.status == 422 && bad.body.contains("id=\"q-secure-hours-error\">Hold hours are a whole number"), "\(bad.body)")
        let changed = try client.submit(from: "/admin/queues", to: "/admin/queues/policy", [
            ("queue", "secure"), ("mode", "quota"), ("rule", "positive"), ("card", ""), ("hours", "24"), ("unanalysable", "fallback")])
        #expect(changed.status == 303, "\(changed.body)\n\(fixture.logText)")
        let after = try client.get("/admin/queues")
        #expect(after.body.contains("Changed secure, as lpadmin -p secure -o tollgate-mode-default=quota -o tollgate-rule-default=positive -o tollgate-hold-hours-default=24 -o tollgate-unanalysable-default=fallback -R tollgate-rates-default does."), "\(after.body)")
        #expect(after.body.contains("<td>secure</td><td>quota</td><td>positive</td><td>(site default)</td><td class=\"num\">24</td>"), "\(after.body)")
        let lpoptions = try bench.client(["lpoptions", "-p", "secure"])
        #expect(lpoptions.stdout.contains("tollgate-mode=quota") && lpoptions.stdout.contains("tollgate-hold-hours=24") && !lpoptions.stdout.contains("tollgate-rates"), "\(lpoptions.stdout) \(lpoptions.stderr)")
        // Only tollgate: queues are changed.
        let typo = try client.submit(from: "/admin/queues", to: "/admin/queues/policy", [
            ("queue", "nosuch"), ("mode", "quota"), ("rule", "cover"), ("card", ""), ("hours", "24"), ("unanalysable", "hold")])
        #expect(typo.status == 503)
    }

    @Test func withoutCupsdTheQueuesPageSaysSo() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        let client = try AdminClient(base: fixture.baseURL)
        #expect(try client.signIn(user: fixture.admin.name, password: fixture.admin.password).status == 303)
        let page = try client.get("/admin/queues")
        #expect(page.status == 503)
        #expect(page.body.contains("cupsd cannot be asked about its queues"))
    }
}
