import CCrypt
import Foundation
import QuotaDB
import Release
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

    /// PINs are checked with the PIN key: hashes stored before the pepper are wrapped (by
    /// `tollgate db init`, and by tollgated when it starts) and keep working; with another key no
    /// PIN matches.
    @Test func pinsNeedTheirPINKeyAndHashesFromBeforeThePepperKeepWorking() throws {
        let fixture = try StationWithoutCups()
        defer { fixture.stop() }
        try fixture.setPIN(user: "tgkim", pin: "1593")
        var info = stat()
        #expect(stat(fixture.pinKey, &info) == 0 && info.st_mode & 0o777 == 0o600, "pin set made the key, 0600")

        // Hashes an earlier Tollgate stored: plain yescrypt, written straight into the database.
        func plainCrypt(_ pin: String) -> String {
            let setting = crypt_gensalt_ra("$y$", 0, nil, 0)!
            defer { free(setting) }
            var data = crypt_data()
            return String(cString: crypt_r(pin, setting, &data))
        }
        let store = try SQLQuotaStore(location: DatabaseLocation(path: fixture.database))
        try store.setCredential(user: "tglee", cardNumber: "777001", pinHash: plainCrypt("8080"))
        let initDB = try ProcessRunner.run([BuiltProducts.executable("tollgate"), "db", "init", "--currency", "EUR",
                                            "--db", fixture.database, "--pin-key", fixture.pinKey])
        #expect(initDB.status == 0 && initDB.stdout.contains("1 PIN hash(es) from before the pepper now use the PIN key"),
                "\(initDB.stdout) \(initDB.stderr)")
        try store.setCredential(user: "tgmay", cardNumber: nil, pinHash: plainCrypt("4242"))
        try fixture.restart()
        #expect(fixture.station.logText.contains("1 PIN hash(es) from before the pepper now use the PIN key"), "\(fixture.station.logText)")
        let key = try #require(try PINKey.load(at: PINKeyLocation(path: fixture.pinKey)))
        for user in ["tgkim", "tglee", "tgmay"] {
            let stored = try #require(try store.credential(identifier: user)).pinHash
            #expect(PINHash(stored: stored).keyID == key.id, "\(user): \(PINHash(stored: stored))")
        }
        for (index, (identifier, pin)) in [("tgkim", "1593"), ("777001", "8080"), ("tgmay", "4242")].enumerated() {
            let client = try StationClient(base: fixture.station.baseURL, source: "127.0.1.\(index + 1)")
            #expect(try client.signIn(pinFor: identifier, pin: pin).status == 303, "\(identifier) keeps the PIN")
        }

        // Another key (the file lost and made again): the hashes match no PIN, and tollgated says so.
        unlink(fixture.pinKey)
        _ = try PINKey.loadOrCreate(at: PINKeyLocation(path: fixture.pinKey))
        try fixture.restart()
        #expect(fixture.station.logText.contains("3 PIN(s) were made with another key"), "\(fixture.station.logText)")
        let client = try StationClient(base: fixture.station.baseURL, source: "127.0.2.1")
        let refused = try client.signIn(pinFor: "tgkim", pin: "1593")
        #expect(refused.status == 401 && refused.body.contains("Wrong card number, user name or PIN"))

        // A key others may read: tollgated does not start with it.
        chmod(fixture.pinKey, 0o644)
        #expect(throws: (any Error).self) { try fixture.restart() }
    }
}
