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
