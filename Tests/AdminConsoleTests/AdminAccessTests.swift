import Foundation
import Testing
import TestSupport

/// Sign-in and access to the console on the real `tollgated`: PAM with real users, the admin
/// group read through NSS (a real group made with groupadd).
@Suite(.serialized) struct AdminAccessTests {
    static let pages = ["/admin", "/admin/accounts", "/admin/accounts?archived=1", "/admin/accounts/new", "/admin/accounts/1",
                        "/admin/users", "/admin/user?name=someone", "/admin/reports", "/admin/reports.csv", "/admin/ledger", "/admin/check",
                        "/admin/rates", "/admin/queues", "/admin/clients"]

    @Test func aUserOutsideTheAdminGroupGets403OnEveryPageAndEveryPost() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        try fixture.tollgate(["account", "add", "Physics", "--code", "PHY", "--global"])
        let outsider = try SystemUser(prefix: "tgno", password: true)
        defer { outsider.remove() }
        let client = try AdminClient(base: fixture.baseURL)
        let signIn = try client.signIn(user: outsider.name, password: outsider.password)
        #expect(signIn.status == 403, "\(signIn.body)")
        #expect(signIn.body.contains("not a member of the admin group"))
        for page in Self.pages {
            let reply = try client.get(page)
            #expect(reply.status == 403, "GET \(page): \(reply.status)")
            #expect(!reply.body.contains("Physics"), "GET \(page) shows nothing")
        }
        let csrf = try #require(signIn.csrf)
        for path in ["/admin/accounts", "/admin/accounts/1", "/admin/accounts/1/archive", "/admin/user/credit", "/admin/user/topup",
                     "/admin/user/adjust", "/admin/user/refund", "/admin/user/pin", "/admin/user/pin/remove", "/admin/rates/card",
                     "/admin/rates/quote", "/admin/queues/policy", "/admin/clients", "/admin/user/active"] {
            let reply = try client.post(path, form: [("csrf", csrf), ("name", "Evil"), ("code", "EVIL"), ("user", outsider.name),
                                                     ("amount", "100"), ("reason", "x"), ("do", "archive")])
            #expect(reply.status == 403, "POST \(path): \(reply.status)")
        }
        #expect(!(try fixture.tollgate(["account", "list", "--archived"])).contains("Evil"))
        #expect(try fixture.ledger().isEmpty, "nothing was credited")
        #expect(fixture.logText.contains("admin sign-in refused: \(outsider.name) is not in group \(fixture.group.name)"))
        // Signing out ends the refused session.
        #expect(try client.post("/admin/signout", form: [("csrf", csrf)]).status == 303)
        #expect(try client.get("/admin/accounts").status == 303)
    }

    @Test func anAdminSignsInWithPAMAndTheSessionIsTheConsolesOwn() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        let anonymous = try AdminClient(base: fixture.baseURL)
        for page in Self.pages {
            let reply = try anonymous.get(page)
            #expect(reply.status == 303 && reply.headers["location"] == "/admin/signin", "GET \(page) without a session: \(reply.status)")
        }
        // A station session is no admin session, even for an admin.
        let station = try AdminClient(base: fixture.baseURL)
        let page = try station.get("/")
        let stationCSRF = try #require(page.csrf)
        let stationSignIn = try station.post("/signin", form: [("csrf", stationCSRF), ("method", "password"), ("user", fixture.admin.name),
                                                               ("password", fixture.admin.password)])
        #expect(stationSignIn.status == 303)
        #expect(try station.get("/admin/accounts").status == 303, "the station's cookie does not open the console")

        let wrong = try anonymous.signIn(user: fixture.admin.name, password: "not-the-password")
        #expect(wrong.status == 401)
        #expect(wrong.body.contains("Wrong user name or password"))

        let client = try AdminClient(base: fixture.baseURL)
        let signIn = try client.signIn(user: fixture.admin.name, password: fixture.admin.password)
        #expect(signIn.status == 303 && signIn.headers["location"] == "/admin/accounts")
        let cookie = signIn.headers["set-cookie"] ?? ""
        #expect(cookie.hasPrefix("tollgate_admin=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "\(cookie)")
        let accounts = try client.get("/admin/accounts")
        #expect(accounts.status == 200)
        #expect(accounts.body.contains(fixture.admin.name))
        #expect(accounts.headers["content-security-policy"]?.contains("default-src 'none'") == true)
        #expect(accounts.headers["x-frame-options"] == "DENY")
        #expect(accounts.headers["cache-control"] == "no-store")
        for page in Self.pages where page != "/admin/accounts/1" && page != "/admin/queues" {
            let reply = try client.get(page)
            #expect([200, 303].contains(reply.status), "GET \(page) as admin: \(reply.status)")
        }

        // CSRF: no token, a wrong one, or another origin: 403 and nothing done.
        let csrf = try #require(accounts.csrf)
        let fields = [("name", "Sneaky"), ("code", "SNK"), ("allocation", "unlimited"), ("access", "global")]
        #expect(try client.post("/admin/accounts", form: fields).status == 403)
        #expect(try client.post("/admin/accounts", form: [("csrf", String(repeating: "0", count: 64))] + fields).status == 403)
        #expect(try client.post("/admin/accounts", form: [("csrf", csrf)] + fields, headers: ["Origin": "http://evil.example"]).status == 403)
        #expect(!(try fixture.tollgate(["account", "list"])).contains("Sneaky"))
        #expect(try client.post("/admin/accounts", form: [("csrf", csrf)] + fields).status == 303)
        #expect((try fixture.tollgate(["account", "list"])).contains("Sneaky"))

        #expect(try client.post("/admin/signout", form: [("csrf", csrf)]).status == 303)
        #expect(try client.get("/admin/accounts").status == 303, "signed out")
    }

    @Test func anIdleAdminSessionEnds() throws {
        let fixture = try AdminFixture(extra: ["--admin-idle-timeout", "10"])
        defer { fixture.stop() }
        let client = try AdminClient(base: fixture.baseURL)
        #expect(try client.signIn(user: fixture.admin.name, password: fixture.admin.password).status == 303)
        #expect(try client.get("/admin/accounts").status == 200)
        sleep(11)
        let reply = try client.get("/admin/accounts")
        #expect(reply.status == 303 && reply.headers["location"] == "/admin/signin")
    }
}
