import Foundation
import Testing
import Release
@testable import Station

@Suite struct HTMLEscapingTests {
    @Test func markupCharactersBecomeReferences() {
        #expect(HTML.escape("<script>alert('x')</script>") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
        #expect(HTML.escape("a & b \"c\"") == "a &amp; b &quot;c&quot;")
        #expect(HTML.escape("already &amp; escaped") == "already &amp;amp; escaped")
    }

    @Test func attributeBreakoutIsNeutralised() {
        let hostile = "\" onmouseover=\"steal()\" x='"
        let escaped = HTML.escape(hostile)
        #expect(!escaped.contains("\""))
        #expect(!escaped.contains("'"))
    }

    @Test func textAndUnicodeAreKept() {
        #expect(HTML.escape("Thèse – chapitre 3 📄") == "Thèse – chapitre 3 📄")
        #expect(HTML.escape("line\none\ttab") == "line\none\ttab")
    }

    @Test func controlCharactersAreDropped() {
        #expect(HTML.escape("a\u{0}b\u{1B}[31mc\u{85}d") == "ab[31mcd")
    }

    @Test func aHostileJobTitleIsEscapedOnTheStationPage() {
        let pages = StationPages(idleTimeout: 120)
        let page = pages.signIn(csrfToken: "t", notices: [Notice(.error, "<img src=x onerror=alert(1)>")], next: "jobs",
                                user: "\"><script>x</script>")
        #expect(!page.contains("<img"))
        #expect(!page.contains("<script>"))
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
    }
}

@Suite struct StationFormatTests {
    @Test func iso8601IsUTCWholeSeconds() {
        #expect(HeldJobSummary.iso8601(Date(timeIntervalSince1970: 1_750_000_000.9)) == "2025-06-15T15:06:40Z")
        #expect(HeldJobSummary.iso8601(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    }

    @Test func agesAndClocks() {
        let format = StationFormat(timeZone: TimeZone(identifier: "UTC")!)
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        #expect(format.age(since: now.addingTimeInterval(-30), now: now) == "just now")
        #expect(format.age(since: now.addingTimeInterval(-750), now: now) == "12 min")
        #expect(format.age(since: now.addingTimeInterval(-3 * 3600 - 300), now: now) == "3 h 05 min")
        #expect(format.age(since: now.addingTimeInterval(-2 * 86_400), now: now) == "2 days")
        #expect(format.clock(now) == "15:06")
    }
}
