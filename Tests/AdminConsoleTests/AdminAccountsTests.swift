import Foundation
import Testing
import TestSupport

/// Accounts, users' money and reports through the console, checked with the CLI on the same
/// SQLite file.
@Suite(.serialized) struct AdminAccountsTests {
    func signedIn(_ fixture: AdminFixture) throws -> AdminClient {
        let client = try AdminClient(base: fixture.baseURL)
        let reply = try client.signIn(user: fixture.admin.name, password: fixture.admin.password)
        guard reply.status == 303 else { throw TestFailure("admin sign-in: \(reply.status) \(reply.body)") }
        return client
    }

    func accountJSON(_ fixture: AdminFixture, _ name: String) throws -> [String: Any] {
        let text = try fixture.tollgate(["account", "show", name, "--json"])
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func fieldErrorsAreShownNextToTheirFieldsAndNothingIsSaved() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        let client = try signedIn(fixture)
        let reply = try client.submit(from: "/admin/accounts/new", to: "/admin/accounts", [
            ("name", "Chemistry"), ("code", ""), ("enabled", "on"), ("starts", "2026-13-40"), ("expires", ""),
            ("allocation", "limited"), ("soft", "30"), ("hard", "20"), ("access", "restricted"), ("users", ""), ("groups", ""),
        ])
        #expect(reply.status == 422)
        #expect(reply.body.contains("id=\"code-error\">Give the account a code"), "\(reply.body)")
        #expect(reply.body.contains("id=\"starts-error\">Write the first day as YYYY-MM-DD"))
        #expect(reply.body.contains("id=\"soft-error\">The soft limit (30.00 EUR) must not be above the hard limit (20.00 EUR)"))
        #expect(reply.body.contains("value=\"Chemistry\""), "what was typed is kept")
        #expect(!(try fixture.tollgate(["account", "list"])).contains("Chemistry"))

        let bad = try client.submit(from: "/admin/accounts/new", to: "/admin/accounts", [
            ("name", "Chemistry"), ("code", "CHEM"), ("allocation", "limited"), ("soft", "ten"), ("hard", ""), ("access", "global"),
        ])
        #expect(bad.status == 422)
        #expect(bad.body.contains("id=\"soft-error\">Write the soft limit as an amount"))
        #expect(bad.body.contains("id=\"hard-error\">A limited allocation needs a hard limit"))

        try fixture.tollgate(["account", "add", "Physics", "--code", "PHY"])
        let taken = try client.submit(from: "/admin/accounts/new", to: "/admin/accounts", [
            ("name", "Physics"), ("code", "PHY2"), ("allocation", "unlimited"), ("access", "global"),
        ])
        #expect(taken.status == 422)
        #expect(taken.body.contains("id=\"name-error\">Another account is already called “Physics”"), "\(taken.body)")
    }

    @Test func addEditArchiveAndUnarchiveGoThroughTheStore() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        let client = try signedIn(fixture)
        let hostile = "<script>alert('x')</script> & Co"
        let created = try client.submit(from: "/admin/accounts/new", to: "/admin/accounts", [
            ("name", hostile), ("code", "HOST"), ("enabled", "on"), ("starts", "2026-01-01"), ("expires", "2030-12-31"),
            ("allocation", "limited"), ("soft", "5"), ("hard", "10.50"), ("access", "restricted"),
            ("users", "alice, bob"), ("groups", "physics-staff"),
        ])
        #expect(created.status == 303, "\(created.body)")
        let location = try #require(created.headers["location"])
        let page = try client.get(location)
        #expect(page.status == 200)
        #expect(page.body.contains("Added account &lt;script&gt;"), "the notice is escaped")
        #expect(!page.body.contains("<script>"), "no markup from the account name")
        #expect(page.body.contains("value=\"10.50\"") && page.body.contains("value=\"2030-12-31\""))

        let listed = try client.get("/admin/accounts").body
        #expect(listed.contains("<td>groups physics-staff; users alice, bob</td>"), "\(listed)")
        #expect(listed.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co</a>") && !listed.contains("<script>"))
        let shown = try accountJSON(fixture, "HOST")
        let account = try #require(shown["account"] as? [String: Any])
        #expect(account["name"] as? String == hostile)
        let allocation = try #require(account["allocation"] as? [String: Any])
        #expect(allocation["softMinorUnits"] as? Int == 500 && allocation["hardMinorUnits"] as? Int == 1050)
        #expect(account["access"] as? String == "restricted")
        let grants = try #require(shown["grants"] as? [[String: Any]])
        #expect(grants.count == 3, "\(grants)")

        // Edit: rename, disable, unlimited, global, drop a user.
        let edited = try client.submit(from: location, to: location, [
            ("name", "Hostile Ltd"), ("code", "HOST"), ("starts", ""), ("expires", ""), ("allocation", "unlimited"),
            ("soft", ""), ("hard", ""), ("access", "global"), ("users", "alice"), ("groups", "physics-staff"),
        ])
        #expect(edited.status == 303, "\(edited.body)")
        let after = try #require(try accountJSON(fixture, "HOST")["account"] as? [String: Any])
        #expect(after["name"] as? String == "Hostile Ltd")
        #expect(after["isEnabled"] as? Bool == false)
        #expect(after["access"] as? String == "global")
        #expect((after["allocation"] as? [String: Any])?["kind"] as? String == "unlimited")
        #expect(after["expiresAt"] == nil)
        #expect((try accountJSON(fixture, "HOST")["grants"] as? [[String: Any]])?.count == 2)

        // Search, paging.
        for index in 1...25 { try fixture.tollgate(["account", "add", "Dept \(index)", "--code", "D\(index)"]) }
        let list = try client.get("/admin/accounts")
        #expect(list.body.contains("Page 1 of 2 (26 accounts)"))
        let search = try client.get("/admin/accounts?q=hostile")
        #expect(search.body.contains("Hostile Ltd") && !search.body.contains("Dept 1<"))

        // Archive: gone from the list, in the archived view; unarchive brings it back.
        let id = location.split(separator: "/").last!
        let archived = try client.submit(from: "/admin/accounts", to: "/admin/accounts/\(id)/archive", [("do", "archive")])
        #expect(archived.status == 303)
        let current = try client.get("/admin/accounts?q=hostile").body
        #expect(current.contains("Archived Hostile Ltd: users no longer see it"), "the notice after the redirect")
        #expect(!current.contains(">Hostile Ltd</a>"))
        #expect((try client.get("/admin/accounts?archived=1")).body.contains(">Hostile Ltd</a>"))
        #expect((try accountJSON(fixture, "HOST")["account"] as? [String: Any])?["isArchived"] as? Bool == true)
        #expect(try client.submit(from: "/admin/accounts?archived=1", to: "/admin/accounts/\(id)/archive", [("do", "unarchive")]).status == 303)
        #expect((try accountJSON(fixture, "HOST")["account"] as? [String: Any])?["isArchived"] as? Bool == false)
        #expect(fixture.logText.contains("admin: admin:\(fixture.admin.name) archived account Hostile Ltd"))
    }

    @Test func creditTopUpAndAdjustRecordTheAdminAndShowInTheReportAndCSV() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        try fixture.tollgate(["account", "add", "Physics", "--code", "PHY", "--global", "--soft", "150", "--hard", "200"])
        try fixture.tollgate(["account", "add", "Library", "--code", "LIB", "--global"])
        let client = try signedIn(fixture)
        let user = "tgstudent"
        let page = "/admin/user?name=\(user)"
        let opened = try client.get(page)
        #expect(opened.status == 200)
        #expect(opened.body.contains("150.00 EUR") && opened.body.contains("200.00 EUR"), "used / soft / hard")
        #expect(opened.body.contains("unlimited"), "Library is unlimited")

        let noReason = try client.submit(from: page, to: "/admin/user/adjust", [("user", user), ("account", ""), ("amount", "-1"), ("reason", "")])
        #expect(noReason.status == 422)
        #expect(noReason.body.contains("id=\"adjust-reason-error\">Say why"))
        let badAmount = try client.submit(from: page, to: "/admin/user/credit", [("user", user), ("account", ""), ("amount", "lots")])
        #expect(badAmount.status == 422)
        #expect(badAmount.body.contains("id=\"credit-amount-error\">Write an amount such as 5"))
        #expect(try fixture.ledger().isEmpty)

        #expect(try client.submit(from: page, to: "/admin/user/credit", [("user", user), ("account", ""), ("amount", "12.50"),
                                                                        ("reason", "welcome")]).status == 303)
        #expect(try client.submit(from: page, to: "/admin/user/topup", [("user", user), ("amount", "5"), ("reference", "PAY-1")]).status == 303)
        #expect(try client.submit(from: page, to: "/admin/user/adjust", [("user", user), ("account", "Physics"), ("amount", "-3"),
                                                                        ("reason", "manual print")]).status == 303)
        let ledger = try fixture.ledger()
        #expect(ledger.count == 3)
        #expect(ledger.allSatisfy { $0["actor"] as? String == "admin:\(fixture.admin.name)" }, "\(ledger)")
        let shown = try client.get(page)
        #expect(shown.body.contains("Adjusted \(user): -3.00 EUR on the account Physics; used on it now: 3.00 EUR."), "\(shown.body)")
        #expect(shown.body.contains("17.50 EUR"), "wallet after credit and top-up")
        #expect(shown.body.contains("3.00 EUR"), "used on Physics")

        let report = try client.get("/admin/reports?by=user")
        #expect(report.status == 200)
        #expect(report.body.contains("<td>\(user)</td>"))
        #expect(report.body.contains("<svg"))
        let byAccount = try client.get("/admin/reports?by=user-account&user=\(user)")
        #expect(byAccount.body.contains("Physics"))
        let csv = try client.get("/admin/reports.csv?by=user-account")
        #expect(csv.status == 200)
        #expect(csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(csv.headers["content-disposition"]?.contains("attachment") == true)
        #expect(csv.body.hasPrefix("User,Account,Jobs,Charged,Refunded,Net,Credited,Topped up,Currency\r\n"), "\(csv.body)")
        #expect(csv.body.contains("\(user),personal wallet,0,0.00,0.00,0.00,12.50,5.00,EUR"), "\(csv.body)")
        #expect(csv.body.contains("\(user),Physics,0,0.00,0.00,0.00,3.00,0.00,EUR") || csv.body.contains("\(user),Physics,0,0.00,0.00,0.00,-3.00,0.00,EUR"), "\(csv.body)")
        let months = try client.get("/admin/reports?by=month")
        #expect(months.status == 200 && months.body.contains("<td>Month</td>") == false)
        let badFilter = try client.get("/admin/reports?from=yesterday")
        #expect(badFilter.status == 422 && badFilter.body.contains("id=\"from-error\""))

        let check = try client.get("/admin/check")
        #expect(check.body.contains("Consistent: every balance matches the ledger."))
    }

    @Test func aPrintedJobIsRefundedOnceAndTheLedgerBrowserFindsIt() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        try fixture.tollgate(["account", "add", "Physics", "--code", "PHY", "--global", "--soft", "8", "--hard", "10"])
        let user = "tgprinter"
        try fixture.tollgate(["debug", "authorize", "--job", "srv/7/1700000000", "--user", user, "--amount", "2.40", "--account", "Physics"])
        try fixture.tollgate(["debug", "settle", "--job", "srv/7/1700000000"])
        let client = try signedIn(fixture)
        let page = "/admin/user?name=\(user)"
        let shown = try client.get(page)
        #expect(shown.body.contains("<option value=\"srv/7/1700000000\">"), "the printed job can be refunded")
        #expect(shown.body.contains("2.40 EUR"), "used on Physics")

        let negative = try client.submit(from: page, to: "/admin/user/refund", [("user", user), ("job", "srv/7/1700000000"), ("amount", "-1")])
        #expect(negative.status == 422 && negative.body.contains("id=\"refund-amount-error\">A refund cannot be negative."))
        let other = try client.submit(from: page, to: "/admin/user/refund", [("user", "someoneelse"), ("job", "srv/7/1700000000")])
        #expect(other.status == 422, "another user's job is not found")
        #expect(try client.submit(from: page, to: "/admin/user/refund", [("user", user), ("job", "srv/7/1700000000"), ("amount", "1.00"),
                                                                         ("reason", "jammed")]).status == 303)
        #expect(try client.get(page).body.contains("Job srv/7/1700000000: 1.00 EUR refunded of 2.40 EUR."))
        // The amount is the job's total refund: the same again gives nothing more.
        #expect(try client.submit(from: page, to: "/admin/user/refund", [("user", user), ("job", "srv/7/1700000000"), ("amount", "1.00")]).status == 303)
        let refunds = try fixture.ledger().filter { $0["kind"] as? String == "refund" }
        #expect(refunds.count == 1, "\(refunds)")
        #expect(refunds.first?["actor"] as? String == "admin:\(fixture.admin.name)")

        let ledger = try client.get("/admin/ledger?user=\(user)&kind=refund")
        #expect(ledger.status == 200)
        #expect(ledger.body.contains("<td>refund</td>") && ledger.body.contains("jammed") && !ledger.body.contains("<td>debit</td>"))
        let byAccount = try client.get("/admin/ledger?account=nosuch")
        #expect(byAccount.status == 422 && byAccount.body.contains("No account is called or has the code “nosuch”."))
        let report = try client.get("/admin/reports?by=account")
        #expect(report.body.contains("<td>Physics</td><td class=\"num\">1</td><td class=\"num\">2.40 EUR</td><td class=\"num\">1.00 EUR</td><td class=\"num\">1.40 EUR</td>"), "\(report.body)")
    }

    /// 205 entries: the newest 200, then "Older entries" shows the 5 before them, with the filters kept.
    @Test func theLedgerBrowserPagesNewestFirstKeepingItsFilters() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        let client = try signedIn(fixture)
        for i in 1...205 { _ = try fixture.tollgate(["topup", "tgpager", "0.01", "--reference", "pay-\(i)"]) }
        _ = try fixture.tollgate(["topup", "tgother", "1.00"])
        func ids(_ body: String) -> [Int] {
            body.matches(of: /<tr><td>(\d+)<\/td>/).compactMap { Int($0.output.1) }
        }
        let first = try client.get("/admin/ledger?user=tgpager&kind=top-up")
        #expect(first.status == 200)
        let newest = ids(first.body)
        #expect(newest.count == 200 && newest == newest.sorted(by: >), "\(newest)")
        #expect(first.body.contains("205 entries, 200 shown from entry #\(newest.first ?? 0)"), "\(first.body)")
        let older = try #require(first.body.firstMatch(of: /id="ledger-older"/) != nil ? first.body.firstMatch(of: /<a href="([^"]+)" id="ledger-older">/)?.output.1 : nil)
        #expect(older == "/admin/ledger?user=tgpager&amp;kind=top-up&amp;before=\(newest.last ?? 0)")
        let second = try client.get(String(older).replacingOccurrences(of: "&amp;", with: "&"))
        let rest = ids(second.body)
        #expect(rest.count == 5 && rest.allSatisfy { $0 < newest.last! }, "\(rest)")
        #expect(Set(rest).isDisjoint(with: newest))
        #expect(!second.body.contains("id=\"ledger-older\"") && second.body.contains("id=\"ledger-newest\""))
        #expect(try client.get("/admin/ledger?before=x").status == 400)
    }

    @Test func aCardNumberAndPINSetInTheConsoleSignInAtTheStation() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        let client = try signedIn(fixture)
        let user = "tgcardholder"
        let page = "/admin/user?name=\(user)"
        #expect(try client.get(page).body.contains("No card number or PIN yet"))
        let short = try client.submit(from: page, to: "/admin/user/pin", [("user", user), ("card", "4711"), ("pin", "12"), ("confirm", "12")])
        #expect(short.status == 422 && short.body.contains("id=\"pin-pin-error\">A PIN is 4 to 12 digits."))
        let differ = try client.submit(from: page, to: "/admin/user/pin", [("user", user), ("card", "4711"), ("pin", "2468"), ("confirm", "2469")])
        #expect(differ.status == 422 && differ.body.contains("id=\"pin-confirm-error\">The two PINs differ"))
        #expect(differ.body.contains("value=\"4711\""), "the card number is kept, the PIN is not")
        #expect(!differ.body.contains("2468"), "a PIN is never shown")
        // tollgated only reads the PIN key: while there is none, no PIN is set.
        let noKey = try client.submit(from: page, to: "/admin/user/pin", [("user", user), ("card", "4711"), ("pin", "2468"), ("confirm", "2468")])
        #expect(noKey.status == 422 && noKey.body.contains("There is no PIN key at \(fixture.pinKey) yet"), "\(noKey.body)")
        let seed = try ProcessRunner.run([BuiltProducts.executable("tollgate"), "pin", "set", "tgseed", "--db", fixture.database,
                                          "--pin-key", fixture.pinKey], stdin: Data("9999\n".utf8))
        try #require(seed.status == 0, "tollgate pin set: \(seed.stderr)")
        let set = try client.submit(from: page, to: "/admin/user/pin", [("user", user), ("card", "4711"), ("pin", "2468"), ("confirm", "2468")])
        #expect(set.status == 303, "\(set.body)")
        #expect(try client.get(page).body.contains("A PIN is set with card number 4711."))
        #expect(!fixture.logText.contains("2468"), "PINs never reach the log")

        // The station signs in with it.
        let station = try AdminClient(base: fixture.baseURL)
        let signIn = try station.get("/")
        let csrf = try #require(signIn.csrf)
        #expect(try station.post("/signin", form: [("csrf", csrf), ("method", "pin"), ("identifier", "4711"), ("pin", "2468")]).status == 303)

        let taken = try client.submit(from: page, to: "/admin/user/pin", [("user", "tgother"), ("card", "4711"), ("pin", "1357"), ("confirm", "1357")])
        #expect(taken.status == 422 && taken.body.contains("id=\"pin-card-error\">Card number 4711 is registered to another user"), "\(taken.body)")
        #expect(try client.submit(from: page, to: "/admin/user/pin/remove", [("user", user)]).status == 303)
        #expect(try client.get(page).body.contains("No card number or PIN yet"))
    }

    @Test func aHostileUserNameIsTextOnEveryPageAndInTheCSV() throws {
        let fixture = try AdminFixture()
        defer { fixture.stop() }
        let hostile = "<b>\"o'&</b>"
        try fixture.tollgate(["credit", hostile, "5", "--reason", "<i>why</i>"])
        let client = try signedIn(fixture)
        let escaped = "&lt;b&gt;&quot;o&#39;&amp;&lt;/b&gt;"
        for page in ["/admin/users", "/admin/users?q=%3Cb", "/admin/user?name=\(AdminClient.encode(hostile))", "/admin/reports?by=user",
                     "/admin/ledger"] {
            let reply = try client.get(page)
            #expect(reply.status == 200, "\(page): \(reply.status)")
            #expect(reply.body.contains(escaped), "\(page) shows the name as text")
            #expect(!reply.body.contains("<b>") && !reply.body.contains("<i>"), "\(page) has no markup from the data")
        }
        let csv = try client.get("/admin/reports.csv?by=user")
        #expect(csv.body.contains("\"<b>\"\"o'&</b>\",0,0.00,0.00,0.00,5.00,0.00,EUR"), "\(csv.body)")
    }
}
