import Foundation
import Testing
import TestSupport

/// The client setting (Pharos's "Enable Account Management on clients") as the station obeys it.
@Suite(.serialized) struct AdminClientsTests {
    @Test func withAccountChoiceOffTheStationOffersNoOtherAccountAndTheHelpDeskSetsIt() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        try fixture.tollgate(["account", "add", "Art", "--code", "ART", "--global"])
        try fixture.tollgate(["account", "add", "Physics", "--code", "PHY", "--global"])
        let student = try SystemUser(prefix: "tgcl", password: true)
        defer { student.remove() }
        let admin = try AdminClient(base: fixture.baseURL)
        #expect(try admin.signIn(user: fixture.admin.name, password: fixture.admin.password).status == 303)

        // The station's portal, as the student.
        let station = try AdminClient(base: fixture.baseURL)
        let page = try station.get("/")
        let csrf = try #require(page.csrf)
        #expect(try station.post("/signin", form: [("csrf", csrf), ("method", "password"), ("user", student.name),
                                                   ("password", student.password)]).status == 303)
        #expect(try station.get("/portal").body.contains("id=\"set-active\""), "by default users choose")
        #expect(try admin.get("/admin/clients").body.contains("id=\"account-choice\" checked"))

        #expect(try admin.submit(from: "/admin/clients", to: "/admin/clients", []).status == 303, "the box unticked")
        #expect(try admin.get("/admin/clients").body.contains("Users no longer choose accounts"))
        let portal = try station.get("/portal")
        #expect(!portal.body.contains("id=\"set-active\"") && portal.body.contains("id=\"no-account-choice\""), "\(portal.body)")
        let portalCSRF = try #require(portal.csrf)
        #expect(try station.post("/portal/active", form: [("csrf", portalCSRF), ("account", "Physics")]).status == 303)
        #expect(try station.get("/portal").body.contains("Choosing accounts is turned off here"))
        let session = try station.get("/api/session")
        let token = try #require((try JSONSerialization.jsonObject(with: Data(session.body.utf8)) as? [String: Any])?["csrfToken"] as? String)
        let usual = try station.postJSON("/api/jobs/1/release", json: "", headers: ["X-CSRF-Token": token])
        #expect(!usual.body.contains("turned off"), "no account named: not refused for the setting (\(usual.status))")
        let named = try station.postJSON("/api/jobs/1/release", json: #"{"account": "Physics"}"#, headers: ["X-CSRF-Token": token])
        #expect(named.status == 403 && named.body.contains("Choosing accounts is turned off here"), "\(named.status) \(named.body)")

        // The help desk sets the active account; the portal shows it. An account the user cannot use is said next to the field.
        try fixture.tollgate(["account", "disable", "Art"])
        let refused = try admin.submit(from: "/admin/user?name=\(student.name)", to: "/admin/user/active", [("user", student.name), ("account", "Art")])
        #expect(refused.status == 422 && refused.body.contains("id=\"active-account-error\""), "\(refused.body)")
        let userPage = "/admin/user?name=\(student.name)"
        #expect(try admin.submit(from: userPage, to: "/admin/user/active", [("user", student.name), ("account", "Physics")]).status == 303)
        #expect(try admin.get(userPage).body.contains("\(student.name)&#39;s jobs are now charged to Physics first."))
        #expect(try station.get("/portal").body.contains("Your jobs are charged to Physics first"))
        let ledgerless = try fixture.tollgate(["user", "show", student.name])
        #expect(ledgerless.contains("Physics"), "\(ledgerless)")

        #expect(try admin.submit(from: "/admin/clients", to: "/admin/clients", [("account-choice", "on")]).status == 303)
        #expect(try station.get("/portal").body.contains("id=\"set-active\""))
    }
}
