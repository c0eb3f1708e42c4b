/// Random secrets (session and CSRF tokens) and their comparison.
public enum SecretToken {
    /// A fresh 256-bit random token from the system's CSPRNG (`SystemRandomNumberGenerator`, i.e.
    /// getrandom(2)), as 64 lowercase hexadecimal digits: valid in a cookie, a header and a form.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(64)
        for _ in 0..<4 {
            let word = generator.next() as UInt64
            let hex = String(word, radix: 16)
            text += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return text
    }

    /// Whether `candidate` equals `expected`, in time that depends only on their lengths (a
    /// mismatch in the first character costs as long as one in the last).
    public static func constantTimeEquals(_ candidate: String, _ expected: String) -> Bool {
        let a = Array(candidate.utf8), b = Array(expected.utf8)
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        if a.count != b.count { difference |= 1 }
        for index in b.indices {
            difference |= (index < a.count ? a[index] : 0) ^ b[index]
        }
        return difference == 0
    }

    /// Whether `text` has the shape of a token this module generates (64 hex digits): anything
    /// else is rejected before a lookup.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
