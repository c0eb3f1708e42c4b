import Foundation
import QuotaDB
import Testing
import TestSupport

/// The release station on a real cupsd (private bench), a real SQLite database, the real
/// `tollgated` executable, real PAM with a real system user, and headless Chromium.
@Suite(.serialized) struct StationEndToEndTests {
    static let releaseQueue = ["-o", "tollgate-mode-default=release"]

    /// Submits a 2-page PDF (0.11 EUR on the example card) as `user` with `title` and waits
    /// until the backend has held it.
    func heldJob(_ bench: CupsBench, user: SystemUser, title: String = "report.pdf") throws -> Int {
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 2, in: docs.path)
        let job = try bench.submit(pdf, queue: "secure", title: title, user: user)
        let held = try bench.waitForJob(job, in: ["pending-held", "completed", "aborted"])
        try #require(held.state == "pending-held", "\(held)")
        return job
    }

    func ledger(_ bench: CupsBench) throws -> [[String: Any]] {
        let result = try bench.tollgate(["ledger", "--json"])
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    func setPIN(_ bench: CupsBench, user: String, pin: String, card: String? = nil) throws {
        let result = try ProcessRunner.run([BuiltProducts.executable("tollgate"), "pin", "set", user, "--db", bench.database,
                                            "--pin-key", bench.pinKey]
                                           + (card.map { ["--card", $0] } ?? []), stdin: Data("\(pin)\n".utf8))
        try #require(result.status == 0, "tollgate pin set: \(result.stderr)")
    }

    /// Where screenshots go: `$TOLLGATE_ARTIFACTS` when set, else the bench's state directory.
    func artifactsDirectory(_ bench: CupsBench) -> String {
        ProcessInfo.processInfo.environment["TOLLGATE_ARTIFACTS"].flatMap { $0.isEmpty ? nil : $0 } ?? bench.state.path + "/artifacts"
    }

    // MARK: The whole walk-up flow in a browser

    @Test func signInWithPasswordSeeTheJobChooseAnAccountReleaseItPrintsAndIsCharged() throws {
        let bench = try CupsBench()
        try bench.addQueue("secure", kind: "raw", options: Self.releaseQueue)
        try bench.tollgate(["account", "add", "Art", "--code", "ART", "--global", "--soft", "5", "--hard", "10"])
        try bench.tollgate(["account", "add", "Physics", "--code", "PHY", "--global", "--soft", "8", "--hard", "10"])
        let user = try SystemUser(prefix: "tgst", password: true, home: true)
        try bench.tollgate(["topup", user.name, "1.00"])
        // A hostile title: it must show as text, never as markup.
        let title = "<b>Thesis</b> & \"draft\" <script>alert(1)</script>"
        let job = try heldJob(bench, user: user, title: title)

        let station = try TollgatedProcess(bench: bench)
        defer { station.stop() }
        let shots = artifactsDirectory(bench)
        let browser = try ProcessRunner.run(["/usr/bin/python3", BuiltProducts.packageRoot.path + "/Tests/StationTests/station_browser.py",
                                             "release", station.baseURL, user.name, user.password, String(job), "Physics", shots],
                                            environment: ["PATH": "/usr/bin:/bin", "HOME": bench.state.path, "LANG": "C.UTF-8"],
                                            timeout: 180)
        try #require(browser.status == 0, "browser: \(browser.stderr)\n--- tollgated:\n\(station.logText)")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(browser.stdout.utf8)) as? [String: Any])

        let card = seen["jobCard"] as? String ?? ""
        #expect(card.contains(title), "the title is shown literally: \(card)")
        #expect(seen["price"] as? String == "0.11 EUR")
        #expect(card.contains("Pages\n2") || card.contains("Pages 2"), "\(card)")
        #expect((seen["accountOptions"] as? [String])?.contains("Physics") == true)
        #expect((seen["accountOptions"] as? [String])?.first?.hasPrefix("My usual") == true)
        let notice = seen["notice"] as? String ?? ""
        #expect(notice.contains("Released") && notice.contains("Physics"), "\(notice)")
        #expect((seen["noticeKind"] as? String)?.contains("success") == true, "\(notice)")
        #expect(seen["jobStillListed"] as? Bool == false)
        #expect((seen["balances"] as? String)?.contains("Personal wallet") == true)
        #expect(seen["signedOut"] as? Bool == true)

        // The virtual printer got the document, and Physics paid for it, once.
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try bench.receivedDocuments().count == 1)
        let debits = try ledger(bench).filter { $0["kind"] as? String == "debit" }
        #expect(debits.count == 1, "charged once")
        #expect((debits.first?["account"] as? [String: Any])?["name"] as? String == "Physics", "the chosen account paid: \(debits)")
        #expect(try bench.tollgate(["check"]).status == 0)
        for shot in seen["screenshots"] as? [String] ?? [] {
            #expect(FileManager.default.fileExists(atPath: shot), "screenshot \(shot)")
        }
        #expect(station.logText.contains("sign-in: \(user.name) with password"))
        #expect(!station.logText.contains(user.password), "passwords never reach the log")
    }

    /// Follow-me at the station: the job waits on `secure`, the user stands at the library's
    /// printer and releases it there; it is moved, priced with that queue's card, and printed there.
    @Test func followMeReleasesTheJobOnAnotherPrinter() throws {
        let bench = try CupsBench(printers: 2)
        try bench.addQueue("secure", kind: "raw", printer: 1, options: Self.releaseQueue)
        try bench.addQueue("library", kind: "raw", printer: 2, options: Self.releaseQueue)
        let fayUser = try SystemUser(prefix: "tgfay")
        try bench.tollgate(["topup", fayUser.name, "1.00"])
        let job = try heldJob(bench, user: fayUser)
        try setPIN(bench, user: fayUser.name, pin: "5555")
        let station = try TollgatedProcess(bench: bench)
        defer { station.stop() }

        let client = try StationClient(base: station.baseURL)
        _ = try client.signIn(pinFor: fayUser.name, pin: "5555")
        let page = try client.get("/jobs")
        #expect(page.body.contains("id=\"queue-\(job)\""), "a printer chooser when there are several release printers")
        let form = try client.post("/jobs/act", form: [("csrf", page.csrf ?? ""), ("job", String(job)), ("do", "release"),
                                                    ("account", ""), ("queue", "library")])
        #expect(form.status == 303)
        #expect(try client.get("/jobs").body.contains("to library"), "released on the library's printer")
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try bench.receivedDocuments(printer: 1).isEmpty)
        #expect(try bench.receivedDocuments(printer: 2).count == 1)
    }

    // MARK: Security

    /// Between the release and the printer's run the balances do not show the job yet: the page
    /// says it is on its way, until it has printed.
    @Test func aReleasedJobShowsAsOnItsWayUntilItPrints() throws {
        let bench = try CupsBench()
        try bench.addQueue("secure", kind: "raw", options: Self.releaseQueue)
        let gus = try SystemUser(prefix: "tggus")
        try bench.tollgate(["topup", gus.name, "5.00"])
        let job = try heldJob(bench, user: gus)
        try setPIN(bench, user: gus.name, pin: "1234")
        try bench.client(["cupsdisable", "secure"])                    // the released job waits for the printer
        let station = try TollgatedProcess(bench: bench)
        defer { station.stop() }
        let client = try StationClient(base: station.baseURL)
        #expect(try client.signIn(pinFor: gus.name, pin: "1234").status == 303)
        let release = try client.post("/api/jobs/\(job)/release", json: "{}", headers: ["X-CSRF-Token": try client.apiCSRF()])
        #expect(release.status == 200, "\(release.body)")
        let waiting = try client.get("/portal").body
        #expect(waiting.contains("Job \(job) (0.11 EUR) is on its way to the printer"), "\(waiting)")

        try bench.client(["cupsenable", "secure"])
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")
        let printed = try client.get("/portal").body
        #expect(!printed.contains("on its way"))
        #expect(printed.contains("4.89 EUR"), "charged 0.11 EUR")
    }

    @Test func anotherUsersJobIsNeverListedNorReleasable() throws {
        let bench = try CupsBench()
        try bench.addQueue("secure", kind: "raw", options: Self.releaseQueue)
        try bench.tollgate(["topup", "tgbob", "5.00"])
        let alice = try SystemUser(prefix: "tgalice")
        let job = try heldJob(bench, user: alice)
        try setPIN(bench, user: "tgbob", pin: "2468", card: "900100")
        let station = try TollgatedProcess(bench: bench)
        defer { station.stop() }

        let bob = try StationClient(base: station.baseURL)
        let signedIn = try bob.signIn(pinFor: "900100", pin: "2468")
        #expect(signedIn.status == 303 && signedIn.headers["location"] == "/jobs", "\(signedIn.status) \(signedIn.body)")
        let page = try bob.get("/jobs")
        #expect(page.status == 200)
        #expect(page.body.contains("No jobs are waiting for you"))
        #expect(!page.body.contains("job-\(job)"))
        #expect(try bob.apiJobs().isEmpty)

        let csrf = try bob.apiCSRF()
        let release = try bob.post("/api/jobs/\(job)/release", json: "{}", headers: ["X-CSRF-Token": csrf])
        #expect(release.status == 404)
        #expect(release.body.contains("You have no job \(job) waiting for release"), "the same answer as for a job that does not exist: \(release.body)")
        let delete = try bob.post("/api/jobs/\(job)/delete", headers: ["X-CSRF-Token": csrf])
        #expect(delete.status == 404)
        let form = try bob.post("/jobs/act", form: [("csrf", page.csrf ?? ""), ("job", String(job)), ("do", "release"), ("account", "")])
        #expect(form.status == 303)
        #expect(try bob.get("/jobs").body.contains("You have no job \(job) waiting for release"))

        #expect(try bench.jobStatus(job).state == "pending-held", "alice's job still waits")
        #expect(try bench.receivedDocuments().isEmpty)
        #expect(try ledger(bench).filter { $0["kind"] as? String != "top-up" }.isEmpty, "nothing charged to anyone")
    }

    @Test func signInWithoutOrWithAWrongCSRFTokenIsRejected() throws {
        let bench = try CupsBench()
        try setPIN(bench, user: "tgdave", pin: "2468")
        let station = try TollgatedProcess(bench: bench)
        defer { station.stop() }
        let client = try StationClient(base: station.baseURL)
        let fields = [("method", "pin"), ("identifier", "tgdave"), ("pin", "2468")]

        let noCookie = try client.post("/signin", form: [("csrf", String(repeating: "a", count: 64))] + fields)
        #expect(noCookie.status == 403, "no session at all")
        #expect(noCookie.body.contains("This page had expired"))
        let page = try client.get("/")
        let csrf = try #require(page.csrf)
        #expect(try client.post("/signin", form: fields).status == 403, "no token")
        _ = try client.get("/")
        #expect(try client.post("/signin", form: [("csrf", String(csrf.reversed()))] + fields).status == 403, "wrong token")
        let fresh = try client.get("/")
        let foreign = try client.post("/signin", form: [("csrf", fresh.csrf ?? "")] + fields, headers: ["Origin": "http://evil.example"])
        #expect(foreign.status == 403, "cross-origin")
        #expect(try client.get("/api/session").status == 401, "none of these signed in")

        let signedIn = try client.signIn(pinFor: "tgdave", pin: "2468")
        #expect(signedIn.status == 303)
        let cookie = signedIn.headers["set-cookie"] ?? ""
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), "\(cookie)")
        #expect(!cookie.contains("Secure"), "no Secure flag without --secure-cookies")
        #expect(try client.get("/api/session").status == 200)

        // Signed in: posts without the token change nothing.
        #expect(try client.post("/api/jobs/1/release", json: "{}").status == 403)
        #expect(try client.post("/api/jobs/1/release", json: "{}", headers: ["X-CSRF-Token": String(repeating: "0", count: 64)]).status == 403)
        #expect(try client.post("/signout", form: [("csrf", "")]).status == 403)
        #expect(try client.get("/api/session").status == 200, "still signed in")

        let headers = try client.get("/jobs").headers
        #expect(headers["cache-control"] == "no-store")
        #expect(headers["x-frame-options"] == "DENY")
        #expect(headers["x-content-type-options"] == "nosniff")
        #expect(headers["content-security-policy"]?.contains("default-src 'none'") == true)
        #expect(headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true)
    }

    @Test func anIdleSessionIsSignedOut() throws {
        let bench = try CupsBench()
        try setPIN(bench, user: "tgerin", pin: "8642")
        let station = try TollgatedProcess(bench: bench, idleTimeout: 10)
        defer { station.stop() }
        let client = try StationClient(base: station.baseURL)
        #expect(try client.signIn(pinFor: "tgerin", pin: "8642").status == 303)
        let page = try client.get("/jobs")
        #expect(page.body.contains("<meta http-equiv=\"refresh\" content=\"12;url=/?signed-out=idle\">"), "the page falls back to sign-in by itself")
        sleep(11)
        #expect(try client.get("/api/session").status == 401)
        #expect(try client.get("/jobs").headers["location"] == "/")
    }

    @Test func portalShowsBalancesAndSwitchesTheActiveAccount() throws {
        let bench = try CupsBench()
        try bench.tollgate(["account", "add", "Art", "--code", "ART", "--global", "--soft", "5", "--hard", "10"])
        try bench.tollgate(["account", "add", "Physics", "--code", "PHY", "--global", "--soft", "8", "--hard", "10"])
        try bench.tollgate(["topup", "tgfay", "2.50"])
        try setPIN(bench, user: "tgfay", pin: "1470")
        let station = try TollgatedProcess(bench: bench)
        defer { station.stop() }
        let client = try StationClient(base: station.baseURL)
        #expect(try client.signIn(pinFor: "tgfay", pin: "1470").status == 303)
        let portal = try client.get("/portal")
        #expect(portal.status == 200)
        #expect(portal.body.contains("Personal wallet") && portal.body.contains("2.50 EUR"))
        #expect(portal.body.contains("8.00 EUR") && portal.body.contains("10.00 EUR"), "soft and hard limits")
        let switched = try client.post("/portal/active", form: [("csrf", portal.csrf ?? ""), ("account", "Physics")])
        #expect(switched.status == 303)
        #expect(try client.get("/portal").body.contains("Your jobs are now charged to Physics first."))
        let store = try SQLQuotaStore(location: DatabaseLocation(path: bench.database))
        #expect(try store.balances(for: "tgfay").active.account?.name == "Physics")
    }

    /// A voucher from the help desk, typed at the portal: once into the wallet; a second try and a
    /// typo say why and add nothing.
    @Test func portalRedeemsAVoucherOnce() throws {
        let bench = try CupsBench()
        let made = try bench.tollgate(["voucher", "create", "--count", "1", "--value", "4.00"])
        let code = try #require(made.stdout.split(separator: "\n").last.map(String.init), "\(made.stdout)")
        try setPIN(bench, user: "tggus", pin: "2468")
        let station = try TollgatedProcess(bench: bench)
        defer { station.stop() }
        let client = try StationClient(base: station.baseURL)
        #expect(try client.signIn(pinFor: "tggus", pin: "2468").status == 303)
        let portal = try client.get("/portal")
        #expect(portal.body.contains("id=\"voucher-code\""))
        #expect(try client.post("/portal/redeem", form: [("csrf", portal.csrf ?? ""), ("code", code.lowercased())]).status == 303)
        #expect(try client.get("/portal").body.contains("4.00 EUR added to your personal wallet, which now holds 4.00 EUR."))
        _ = try client.post("/portal/redeem", form: [("csrf", portal.csrf ?? ""), ("code", code)])
        #expect(try client.get("/portal").body.contains("already redeemed"))
        _ = try client.post("/portal/redeem", form: [("csrf", portal.csrf ?? ""), ("code", "ABCD-EFGH-JKMN-PQRS")])
        #expect(try client.get("/portal").body.contains("typo"))
        let store = try SQLQuotaStore(location: DatabaseLocation(path: bench.database))
        #expect(try store.balances(for: "tggus").wallet.minorUnits == 400)
        #expect(try client.post("/portal/redeem", form: [("code", code)]).status == 403, "no CSRF token, no redemption")
    }

    /// The portal's mail switch: off, the store says so (and the outbox takes nothing), on again.
    @Test func portalTurnsMailOffAndOn() throws {
        let bench = try CupsBench()
        try setPIN(bench, user: "tghal", pin: "1357")
        let station = try TollgatedProcess(bench: bench)
        defer { station.stop() }
        let client = try StationClient(base: station.baseURL)
        #expect(try client.signIn(pinFor: "tghal", pin: "1357").status == 303)
        let portal = try client.get("/portal")
        #expect(portal.body.contains("Stop mail about my jobs"))
        #expect(try client.post("/portal/notify", form: [("csrf", portal.csrf ?? ""), ("notify", "off")]).status == 303)
        let store = try SQLQuotaStore(location: DatabaseLocation(path: bench.database))
        #expect(try store.notificationsEnabled(for: "tghal") == false)
        #expect(try store.enqueueNotification(user: "tghal", kind: .refund, subject: "s", body: "b") == false, "nothing queued")
        #expect(try client.get("/portal").body.contains("Mail me about my jobs"))
        _ = try client.post("/portal/notify", form: [("csrf", portal.csrf ?? ""), ("notify", "on")])
        #expect(try store.notificationsEnabled(for: "tghal"))
    }

    /// A job sent with `lp -o job-account-id=PHY` waits with Physics offered first at the station
    /// (by code or name); a job without one offers "my usual".
    @Test func theStationOffersTheAccountTheJobAskedFor() throws {
        let bench = try CupsBench()
        try bench.addQueue("secure", kind: "raw", options: Self.releaseQueue)
        try bench.tollgate(["account", "add", "Art", "--code", "ART", "--global", "--unlimited"])
        try bench.tollgate(["account", "add", "Physics", "--code", "PHY", "--global", "--unlimited"])
        let user = try SystemUser(prefix: "tgpre")
        try setPIN(bench, user: user.name, pin: "9753")
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let asked = try bench.submit(pdf, queue: "secure", options: ["job-account-id=PHY"], user: user)
        let plain = try bench.submit(pdf, queue: "secure", user: user)
        for job in [asked, plain] { _ = try bench.waitForJob(job, in: ["pending-held", "completed", "aborted"]) }
        let station = try TollgatedProcess(bench: bench)
        defer { station.stop() }
        let client = try StationClient(base: station.baseURL)
        #expect(try client.signIn(pinFor: user.name, pin: "9753").status == 303)
        let page = try client.get("/jobs").body
        func card(_ job: Int) -> Substring {
            guard let start = page.range(of: "id=\"job-\(job)\"") else { return "" }
            return page[start.lowerBound...].prefix(while: { _ in true }).split(separator: "</li>", maxSplits: 1).first ?? ""
        }
        #expect(card(asked).contains("<option value=\"Physics\" selected>"), "\(card(asked))")
        #expect(!card(plain).contains(" selected>Physics") && !card(plain).contains("\"Physics\" selected"), "\(card(plain))")
    }
}
