import Foundation
import Testing
import TestSupport

/// The real `tollgated` over HTTP, on a database of its own and without cupsd: what the station
/// answers before it asks cupsd anything.
@Suite(.serialized) struct StationHTTPTests {
    /// Five wrong PINs from one address make that name wait there, even for the right PIN; the
    /// owner signs in from another address at once, and others sign in from the same one.
    @Test func wrongPINsAtOneAddressNeverLockTheOwnerOutAtAnother() throws {
        let fixture = try StationWithoutCups()
        defer { fixture.stop() }
        try fixture.setPIN(user: "tgcarol", pin: "1357", card: "424242")
        try fixture.setPIN(user: "tgbert", pin: "8642")
        let base = fixture.station.baseURL
        let guesser = try StationClient(base: base, source: "127.0.0.2")
        for attempt in 1...5 {
            // Card number and user name are one name: alternating them gains nothing.
            let reply = try guesser.signIn(pinFor: attempt % 2 == 0 ? "tgcarol" : "424242", pin: "000\(attempt)")
            #expect(reply.status == 401, "attempt \(attempt)")
            #expect(reply.body.contains("Wrong card number, user name or PIN"), "attempt \(attempt)")
        }
        let right = try guesser.signIn(pinFor: "424242", pin: "1357")
        #expect(right.status == 429, "the right PIN is refused from this address now")
        #expect(right.body.range(of: #"Try again after \d\d:\d\d"#, options: .regularExpression) != nil, "\(right.body)")
        #expect(try guesser.get("/api/session").status == 401, "not signed in")

        let carol = try StationClient(base: base, source: "127.0.0.3")
        #expect(try carol.signIn(pinFor: "424242", pin: "1357").status == 303, "carol, at another station")
        #expect(try carol.get("/api/session").status == 200)
        let bert = try StationClient(base: base, source: "127.0.0.2")
        #expect(try bert.signIn(pinFor: "tgbert", pin: "8642").status == 303, "bert, at the guesser's station")

        let log = fixture.station.logText
        #expect(log.contains("sign-in refused: too many failures for tgcarol with PIN from 127.0.0.2"), "\(log)")
        #expect(log.contains("sign-in: tgcarol with PIN from 127.0.0.3"))
        #expect(!log.contains("1357") && !log.contains("8642"), "PINs never reach the log")
    }

    /// Bodies are read up to 64 KiB (StationContext.maxUploadSize); a longer one is 413, never 500.
    @Test func aBodyOverTheLimitIsAnswered413() throws {
        let fixture = try StationWithoutCups()
        defer { fixture.stop() }
        try fixture.setPIN(user: "tgida", pin: "2580")
        let client = try StationClient(base: fixture.station.baseURL)
        let tooLong = String(repeating: "a", count: 65 * 1024)

        _ = try client.get("/")
        let signIn = try client.post("/signin", form: [("method", "pin"), ("filler", tooLong)])
        #expect(signIn.status == 413, "\(signIn.status) \(signIn.body)")
        #expect(signIn.body.hasPrefix("413"), "\(signIn.body)")
        #expect(signIn.headers["content-security-policy"] != nil, "the station's headers on errors too")

        #expect(try client.signIn(pinFor: "tgida", pin: "2580").status == 303)
        let csrf = try client.apiCSRF()
        let api = try client.post("/api/jobs/1/release", json: "{\"account\": \"\(tooLong)\"}", headers: ["X-CSRF-Token": csrf])
        #expect(api.status == 413, "\(api.status) \(api.body)")
        let form = try client.post("/jobs/act", form: [("csrf", csrf), ("job", "1"), ("do", "release"), ("account", tooLong)])
        #expect(form.status == 413, "\(form.status) \(form.body)")

        // Just under the limit is read as usual (and refused here for its wrong token).
        let under = try client.post("/signout", form: [("csrf", "wrong"), ("filler", String(repeating: "a", count: 60 * 1024))])
        #expect(under.status == 403)
        #expect(try client.get("/api/session").status == 200, "still signed in")
        #expect(!fixture.station.logText.contains("failed:"), "no request failed: \(fixture.station.logText)")
    }
}
