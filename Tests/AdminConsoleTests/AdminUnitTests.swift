import Foundation
import Pricing
import Station
import Testing
@testable import AdminConsole

/// The console's pure pieces: form checks, CSV, the chart, sessions.
struct AdminUnitTests {
    @Test func theAccountFormNamesEachBadField() {
        var form = AccountForm()
        form.name = " "
        form.code = "has space"
        form.starts = "2026-02-30x"
        form.allocation = "limited"
        form.soft = "-1"
        form.hard = "5"
        guard case .failure(let errors) = form.validate(currency: .eur) else { Issue.record("accepted"); return }
        #expect(errors[.name] != nil && errors[.code] != nil && errors[.starts] != nil)
        #expect(errors[.soft] == "The soft limit cannot be negative.")

        var typedButUnlimited = AccountForm()
        typedButUnlimited.name = "Art"
        typedButUnlimited.code = "ART"
        typedButUnlimited.hard = "10"
        guard case .failure(let lost) = typedButUnlimited.validate(currency: .eur) else { Issue.record("a typed limit was dropped"); return }
        #expect(lost[.hard]?.hasPrefix("You chose Unlimited but typed a limit") == true)

        var good = AccountForm()
        good.name = "Physics"
        good.code = "PHY"
        good.starts = "2026-09-01"
        good.expires = "2026-09-01"
        good.allocation = "limited"
        good.hard = "20"
        good.users = "alice, bob alice\ncarol"
        guard case .success(let valid) = good.validate(currency: .eur) else { Issue.record("refused"); return }
        #expect(valid.allocation == .limited(soft: Money(minorUnits: 2000, currency: .eur), hard: Money(minorUnits: 2000, currency: .eur)),
                "an empty soft limit is the hard limit, as in the CLI")
        #expect(valid.users == ["alice", "bob", "carol"])
        #expect(valid.expiresAt!.timeIntervalSince(valid.startsAt!) >= 23 * 3600, "the last day is usable through its end")
    }

    @Test func csvQuotesAndDisarmsFormulas() {
        #expect(CSV.line(["a,b", "say \"hi\"", "=HYPERLINK(\"x\")", "-3.00", "@cmd", "plain"])
                == "\"a,b\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\",-3.00,'@cmd,plain\r\n")
    }

    @Test func theChartEscapesLabelsAndScalesBars() {
        let svg = BarChart.svg([("<b>evil</b>", Money(minorUnits: 100, currency: .eur)), ("ok", Money(minorUnits: 50, currency: .eur))],
                               title: "Charged")
        #expect(!svg.contains("<b>"))
        #expect(svg.contains("&lt;b&gt;evil&lt;/b&gt;"))
        #expect(svg.contains("width=\"460\"") && svg.contains("width=\"230\""), "\(svg)")
    }

    @Test func adminSessionsEndWhenIdleAndSignInIssuesNewTokens() async {
        final class Clock: @unchecked Sendable { var now = Date(timeIntervalSince1970: 1_000_000) }
        let clock = Clock()
        let store = AdminSessionStore(idleTimeout: 60, clock: { clock.now })
        let anonymous = await store.startAnonymous()
        let admin = await store.signIn(.admin(AdminIdentity(user: "alice")), replacing: anonymous.token)
        #expect(admin.token != anonymous.token && admin.csrfToken != anonymous.csrfToken)
        #expect(await store.session(token: anonymous.token) == nil)
        clock.now += 59
        #expect(await store.session(token: admin.token)?.identity?.actor == "admin:alice")
        clock.now += 60
        #expect(await store.session(token: admin.token) == nil, "idle for 60 s")
    }

    @Test func templatesEscapeEveryValueAsTheStationDoes() {
        let hostile = "\"><script>alert('x')</script>\u{07}"
        let text = AdminTemplates.render(Field("name", label: "Name & <b>", value: hostile, error: "bad <i>"), "field")
        #expect(!text.contains("<script>") && !text.contains("<b>") && !text.contains("<i>"))
        #expect(text.contains("value=\"&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;\""), "\(text)")
        #expect(!text.contains("\u{07}"), "control characters are dropped, as HTML.escape does")
        #expect(text.contains("aria-invalid=\"true\"") && text.contains("id=\"name-error\">bad &lt;i&gt;</p>"))
        let clean = AdminTemplates.render(Field("code", label: "Code", value: "PHY", error: nil), "field")
        #expect(!clean.contains("aria-invalid") && !clean.contains("field-error"))
    }

    @Test func multipartBodiesAreParsedAndMalformedOnesRefused() throws {
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=----abc123") == "----abc123")
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=\"quoted b\"") == "quoted b")
        #expect(MultipartForm.boundary(contentType: "application/x-www-form-urlencoded") == nil)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data") == nil)
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntoken&=1\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a \\\"b\\\".pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
            + "%PDF\r\n--not-the-boundary\r\n\u{00}bytes\r\n--XyZ--\r\n"
        let form = try #require(MultipartForm(Data(body.utf8), boundary: "XyZ"))
        #expect(form.fields["csrf"] == "token&=1")
        #expect(FormData(form.urlencoded)["csrf"] == "token&=1", "text fields survive the trip through urlencoding")
        let file = try #require(form.files["document"])
        #expect(file.filename == "a \"b\".pdf" && file.contentType == "application/pdf")
        #expect(file.data == Data("%PDF\r\n--not-the-boundary\r\n\u{00}bytes".utf8), "the content up to the delimiter, CRLF before it excluded")
        #expect(MultipartForm(Data("--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nno end".utf8), boundary: "XyZ") == nil)
        #expect(MultipartForm(Data("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--".utf8), boundary: "XyZ") == nil, "a part without a name")
        #expect(MultipartForm(Data("nothing".utf8), boundary: "XyZ") == nil)
    }
}
