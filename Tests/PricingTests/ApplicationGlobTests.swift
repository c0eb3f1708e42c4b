import Pricing
import Testing

@Suite("ApplicationGlob: matching and overlap")
struct ApplicationGlobTests {
    @Test("matches case-insensitively", arguments: [
        ("Microsoft*", "Microsoft Word", true), ("Microsoft*", "microsoft excel", true), ("Microsoft*", "Word", false),
        ("*Word", "Microsoft Word", true), ("LibreOffice", "LibreOffice", true), ("LibreOffice", "LibreOffice Writer", false),
        ("Libre?ffice", "LibreOffice", true), ("*", "", true), ("*", "anything", true), ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "aXXbYY", false), ("*x", "*ax", true), ("?", "", false),
    ])
    func matches(pattern: String, name: String, expected: Bool) {
        #expect(ApplicationGlob(pattern).matches(name) == expected)
    }

    @Test("overlap means some name matches both", arguments: [
        ("Microsoft*", "*Word", true), ("Microsoft*", "Libre*", false), ("LibreOffice", "libreoffice", true),
        ("a?c", "*b*", true), ("abc", "abd", false), ("*", "x", true), ("a*", "*b", true), ("ab", "a?c", false),
        ("Adobe Photoshop*", "Adobe Acrobat*", false), ("*Office*", "Libre*", true),
    ])
    func overlaps(a: String, b: String, expected: Bool) {
        #expect(ApplicationGlob(a).overlaps(ApplicationGlob(b)) == expected)
        #expect(ApplicationGlob(b).overlaps(ApplicationGlob(a)) == expected)
    }

    /// Brute force over all short names on a small alphabet agrees with the overlap decision.
    @Test func overlapAgreesWithBruteForce() {
        let patterns = ["a*", "*b", "a?", "?b", "ab", "*", "a*b", "b*a", "?", "??", "ba", "*a*"]
        var names = [""]
        for _ in 0..<4 { names += names.flatMap { [$0 + "a", $0 + "b"] } }
        let allNames = Set(names)
        for a in patterns {
            for b in patterns {
                let brute = allNames.contains { ApplicationGlob(a).matches($0) && ApplicationGlob(b).matches($0) }
                #expect(ApplicationGlob(a).overlaps(ApplicationGlob(b)) == brute, "\(a) vs \(b)")
            }
        }
    }
}
