import Foundation
import Testing
import TestSupport

/// The real `tollgated` over HTTP, on a database of its own and without cupsd: what the station
/// answers before it asks cupsd anything.
@Suite(.serialized) struct StationHTTPTests {
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
