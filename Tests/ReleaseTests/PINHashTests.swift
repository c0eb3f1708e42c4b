import CCrypt
import Foundation
import Pricing
import QuotaDB
import Testing
@testable import Release

/// PINs are hashed with the system's crypt(3) (yescrypt) and an HMAC with the site's PIN key
/// (the pepper), and checked against the hash.
@Suite struct PINHashTests {
    let key = PINKey(bytes: Array(repeating: 7, count: 32))
    let otherKey = PINKey(bytes: Array(repeating: 8, count: 32))

    /// What tollgate stored before the pepper: the plain crypt(3) output.
    static func plainCrypt(_ pin: String) -> String {
        let setting = crypt_gensalt_ra("$y$", 0, nil, 0)!
        defer { free(setting) }
        var data = crypt_data()
        return String(cString: crypt_r(pin, setting, &data))
    }

    @Test func aHashVerifiesItsPINAndNoOther() throws {
        let hash = try PINHash.make("4711", key: key)
        #expect(hash.stored.hasPrefix("$tgp1$\(key.id)$"), "\(hash.stored)")
        #expect(hash.stored.hasSuffix(String(hash.stored.split(separator: "$").last!)) && hash.stored.contains("$y$"), "yescrypt's setting")
        #expect(!hash.stored.contains("4711"))
        #expect(hash.matches("4711", key: key))
        #expect(!hash.matches("4712", key: key))
        #expect(!hash.matches("", key: key))
        #expect(!PINHash(stored: "garbage").matches("4711", key: key))
        #expect(!"\(hash)".contains(hash.stored), "never printed")
    }

    @Test func aHashMadeWithOneKeyMatchesNothingWithAnotherOrNone() throws {
        let hash = try PINHash.make("4711", key: key)
        #expect(key.id != otherKey.id)
        #expect(hash.keyID == key.id)
        #expect(!hash.matches("4711", key: otherKey), "the right PIN, the wrong key")
        #expect(!hash.matches("4711", key: nil))
    }

    /// A copy of the database holds the crypt setting and an HMAC of the crypt output: without the
    /// key, even the right PIN cannot be confirmed (its crypt output is nowhere in it).
    @Test func theStoredHashAloneConfirmsNoGuess() throws {
        let hash = try PINHash.make("4711", key: key)
        let fields = hash.stored.split(separator: "$", omittingEmptySubsequences: false)
        let setting = "$" + fields.suffix(3).joined(separator: "$")           // $y$PARAMS$SALT
        var data = crypt_data()
        let crypted = String(cString: crypt_r("4711", setting, &data))     // what an attacker computes for the right guess
        #expect(crypted.hasPrefix(setting + "$"))
        let cryptPart = String(crypted.split(separator: "$").last!)
        #expect(!hash.stored.contains(cryptPart), "the yescrypt output an offline guess is checked against is not stored")
        #expect(!PINHash(stored: crypted).stored.isEmpty && PINHash(stored: crypted).matches("4711", key: nil),
                "(as it was before the pepper: the plain output confirms the guess)")
        for guess in ["4711", "0000", "1234"] {
            #expect(!hash.matches(guess, key: PINKey.generate()), "a made-up key confirms nothing")
        }
    }

    @Test func aHashFromBeforeThePepperVerifiesAndIsWrappedWithoutThePIN() throws {
        let plain = PINHash(stored: Self.plainCrypt("2468"))
        #expect(plain.isPlainCrypt && plain.keyID == nil)
        #expect(plain.matches("2468", key: key), "still works before it is wrapped")
        #expect(plain.matches("2468", key: nil))
        let wrapped = try #require(plain.peppered(with: key))
        #expect(wrapped.keyID == key.id && !wrapped.isPlainCrypt)
        #expect(wrapped.matches("2468", key: key))
        #expect(!wrapped.matches("2469", key: key))
        #expect(!wrapped.matches("2468", key: otherKey))
        #expect(wrapped.peppered(with: key) == nil, "wrapped once")
        #expect(!wrapped.stored.contains(String(plain.stored.split(separator: "$").last!)), "the plain output is gone")
    }

    @Test func twoHashesOfOnePINDiffer() throws {
        #expect(try PINHash.make("123456", key: key) != PINHash.make("123456", key: key), "a fresh salt each time")
    }

    @Test func onlyFourToTwelveDigitsArePINs() {
        #expect(throws: PINError.self) { try PINHash.make("123", key: key) }
        #expect(throws: PINError.self) { try PINHash.make("12a4", key: key) }
        #expect(throws: PINError.self) { try PINHash.make("1234567890123", key: key) }
        #expect(PINHash.validate("0000"))
    }
}

/// The PIN key file: made 0600 on first use, read back, refused when others may read it.
@Suite struct PINKeyFileTests {
    func location() -> (PINKeyLocation, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pinkey-\(UUID().uuidString)").path
        return (PINKeyLocation(path: dir + "/etc/pin.key"), dir)
    }

    @Test func theKeyIsMadeOnceAndPrivate() throws {
        let (location, dir) = location()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try PINKey.load(at: location) == nil, "none yet")
        let (made, created) = try PINKey.loadOrCreate(at: location)
        #expect(created)
        var info = stat()
        #expect(stat(location.path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let text = try String(contentsOfFile: location.path, encoding: .utf8)
        #expect(text.count == 65 && text.hasSuffix("\n"), "64 hex digits")
        let (again, createdAgain) = try PINKey.loadOrCreate(at: location)
        #expect(!createdAgain && again.id == made.id, "the same key next time")
        #expect(try PINKey.load(at: location)?.id == made.id)
    }

    @Test func aKeyOthersMayReadOrThatIsNotOneIsRefused() throws {
        let (location, dir) = location()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try PINKey.loadOrCreate(at: location)
        chmod(location.path, 0o644)
        #expect(throws: PINKeyError.notPrivate(path: location.path, mode: 0o644)) { try PINKey.load(at: location) }
        chmod(location.path, 0o600)
        try "not a key\n".write(toFile: location.path, atomically: false, encoding: .utf8)
        #expect(throws: PINKeyError.malformed(path: location.path)) { try PINKey.load(at: location) }
    }

    @Test func theLocationComesFromTheOptionTheEnvironmentOrTheDefault() {
        #expect(PINKeyLocation.resolve(explicit: "/a.key", environment: ["TOLLGATE_PIN_KEY": "/b.key"]).path == "/a.key")
        #expect(PINKeyLocation.resolve(explicit: nil, environment: ["TOLLGATE_PIN_KEY": "/b.key"]).path == "/b.key")
        #expect(PINKeyLocation.resolve(explicit: nil, environment: [:]).path == "/etc/tollgate/pin.key")
    }
}

/// PIN hashes in the quota database: those from before the pepper are wrapped in place, users
/// keep their PINs; those of another key are counted.
@Suite struct StoredPINHashTests {
    @Test func hashesFromBeforeThePepperAreWrappedInPlace() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pins-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLQuotaStore(location: DatabaseLocation(path: dir.appendingPathComponent("t.db").path),
                                         options: .init(create: true, currency: .eur))
        let key = PINKey.generate(), other = PINKey.generate()
        try store.setCredential(user: "alice", cardNumber: "0042", pinHash: PINHashTests.plainCrypt("1357"))
        try store.setCredential(user: "bob", cardNumber: nil, pinHash: try PINHash.make("2468", key: key).stored)
        try store.setCredential(user: "carol", cardNumber: nil, pinHash: try PINHash.make("3579", key: other).stored)
        #expect(try store.pinHashCensus(key: key) == PINHashCensus(current: 1, withoutPepper: 1, otherKey: 1))

        #expect(try store.pepperPINHashes(with: key) == 1)
        #expect(try store.pepperPINHashes(with: key) == 0, "once")
        #expect(try store.pinHashCensus(key: key) == PINHashCensus(current: 2, withoutPepper: 0, otherKey: 1))
        let alice = PINHash(stored: try #require(try store.credential(identifier: "0042")).pinHash)
        #expect(alice.keyID == key.id)
        #expect(alice.matches("1357", key: key), "alice keeps her PIN")
        #expect(PINHash(stored: try #require(try store.credential(identifier: "carol")).pinHash).matches("3579", key: other),
                "another key's hash is left as it is")
    }
}
