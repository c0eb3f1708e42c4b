/// A PWG 5101.1 self-describing media name such as `iso_a4_210x297mm`, `na_letter_8.5x11in`
/// or `iso_a3_297x420mm`. Matching against rules is exact (the analysis maps real-world page
/// boxes onto these names with its own tolerance).
public struct MediaName: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The PWG name, e.g. `iso_a4_210x297mm`.
    public let pwgName: String

    /// Wraps a PWG media name.
    public init(_ pwgName: String) { self.pwgName = pwgName }
    public init(stringLiteral value: String) { self.init(value) }

    /// ISO A4, 210 × 297 mm.
    public static let isoA4: MediaName = "iso_a4_210x297mm"
    /// ISO A3, 297 × 420 mm.
    public static let isoA3: MediaName = "iso_a3_297x420mm"
    /// US Letter, 8.5 × 11 in.
    public static let naLetter: MediaName = "na_letter_8.5x11in"
    /// US Legal, 8.5 × 14 in.
    public static let naLegal: MediaName = "na_legal_8.5x14in"

    /// A short name for receipts: `A4`, `A3`, `Letter`; the PWG name when it has no
    /// `class_name_size` shape.
    public var shortName: String {
        let parts = pwgName.split(separator: "_")
        guard parts.count >= 3, let first = parts[1].first else { return pwgName }
        return first.uppercased() + parts[1].dropFirst()
    }

    /// Whether the text is usable as a PWG name: non-empty, lower-case ASCII letters, digits
    /// and `_ . -`, no wildcard.
    public var isWellFormed: Bool {
        !pwgName.isEmpty && pwgName.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "." || $0 == "-"
        }
    }

    public var description: String { pwgName }

    public static func < (lhs: MediaName, rhs: MediaName) -> Bool { lhs.pwgName < rhs.pwgName }
}
