import Testing
@testable import Release

/// PINs are hashed with the system's crypt(3) (yescrypt) and checked against the hash.
@Suite struct PINHasherTests {
    @Test func aHashVerifiesItsPINAndNoOther() throws {
        let hash = try PINHasher.hash("4711")
        #expect(hash.hasPrefix("$y$"), "yescrypt, as /etc/shadow: \(hash)")
        #expect(!hash.contains("4711"))
        #expect(PINHasher.verify("4711", hash: hash))
        #expect(!PINHasher.verify("4712", hash: hash))
        #expect(!PINHasher.verify("", hash: hash))
        #expect(!PINHasher.verify("4711", hash: "garbage"))
    }

    @Test func twoHashesOfOnePINDiffer() throws {
        #expect(try PINHasher.hash("123456") != PINHasher.hash("123456"), "a fresh salt each time")
    }

    @Test func onlyFourToTwelveDigitsArePINs() {
        #expect(throws: PINError.self) { try PINHasher.hash("123") }
        #expect(throws: PINError.self) { try PINHasher.hash("12a4") }
        #expect(throws: PINError.self) { try PINHasher.hash("1234567890123") }
        #expect(PINHasher.validate("0000"))
    }
}
