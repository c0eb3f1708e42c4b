import Foundation
import Testing
@testable import Station

@Suite struct CSRFTests {
    let session = Session(token: SecretToken.generate(), csrfToken: SecretToken.generate(), user: "alice", method: .password,
                          createdAt: Date(), lastSeen: Date(), notices: [])

    @Test func tokenMustMatchExactly() {
        #expect(CSRFGuard.tokenMatches(session.csrfToken, session: session))
        #expect(!CSRFGuard.tokenMatches(nil, session: session))
        #expect(!CSRFGuard.tokenMatches("", session: session))
        #expect(!CSRFGuard.tokenMatches(String(session.csrfToken.dropLast()), session: session))
        #expect(!CSRFGuard.tokenMatches(session.csrfToken + "0", session: session))
        #expect(!CSRFGuard.tokenMatches(session.csrfToken.uppercased(), session: session))
        #expect(!CSRFGuard.tokenMatches(session.token, session: session), "the session token is not the CSRF token")
    }

    @Test func constantTimeComparison() {
        #expect(SecretToken.constantTimeEquals("abc", "abc"))
        #expect(!SecretToken.constantTimeEquals("abd", "abc"))
        #expect(!SecretToken.constantTimeEquals("ab", "abc"))
        #expect(!SecretToken.constantTimeEquals("abcd", "abc"))
        #expect(!SecretToken.constantTimeEquals("", "abc"))
        #expect(SecretToken.constantTimeEquals("", ""))
    }

    @Test func tokensAreRandom256BitHex() {
        let tokens = Set((0..<1000).map { _ in SecretToken.generate() })
        #expect(tokens.count == 1000)
        #expect(tokens.allSatisfy { $0.count == 64 && SecretToken.isWellFormed($0) })
        #expect(!SecretToken.isWellFormed("../../etc/passwd"))
        #expect(!SecretToken.isWellFormed(String(repeating: "G", count: 64)))
    }

    @Test func sameOriginPostsPass() {
        #expect(CSRFGuard.originAllowed(origin: nil, host: "127.0.0.1:8631", fetchSite: nil))
        #expect(CSRFGuard.originAllowed(origin: "http://127.0.0.1:8631", host: "127.0.0.1:8631", fetchSite: "same-origin"))
        // Behind a TLS proxy the browser's origin is https.
        #expect(CSRFGuard.originAllowed(origin: "https://print.example.edu", host: "print.example.edu", fetchSite: nil))
    }

    @Test func crossOriginPostsAreRefused() {
        #expect(!CSRFGuard.originAllowed(origin: "http://evil.example", host: "127.0.0.1:8631", fetchSite: nil))
        #expect(!CSRFGuard.originAllowed(origin: "http://127.0.0.1:9999", host: "127.0.0.1:8631", fetchSite: nil))
        #expect(!CSRFGuard.originAllowed(origin: "null", host: "127.0.0.1:8631", fetchSite: nil))
        #expect(!CSRFGuard.originAllowed(origin: "http://127.0.0.1:8631", host: nil, fetchSite: nil))
        #expect(!CSRFGuard.originAllowed(origin: nil, host: "127.0.0.1:8631", fetchSite: "cross-site"))
        #expect(!CSRFGuard.originAllowed(origin: nil, host: "127.0.0.1:8631", fetchSite: "same-site"))
    }

    @Test func formBodiesAreDecoded() {
        let form = FormData("csrf=ab12&user=j%C3%BCrgen+m&empty=&csrf=second&flag")
        #expect(form["csrf"] == "ab12", "the first value wins")
        #expect(form["user"] == "jürgen m")
        #expect(form["empty"] == "")
        #expect(form["flag"] == "")
        #expect(form["missing"] == nil)
    }
}
