/// How specific a price rule is. The most specific matching rule prices a page side.
///
/// Order, most important first:
/// 1. the number of fields that are not `*` (0 to 4) — more wins;
/// 2. on equal counts, a fixed field precedence decides between rules of different shapes:
///    **application > media > colour > sides** — the rule that names the application wins over
///    one that doesn't; then the one naming the media; then colour; then sides.
///
/// Two rules with the same specificity have the same shape; if they can match the same page
/// side, the card is ambiguous and is rejected when loaded.
public struct RuleSpecificity: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let application: Bool
    public let media: Bool
    public let colour: Bool
    public let sides: Bool

    public init(application: Bool, media: Bool, colour: Bool, sides: Bool) {
        self.application = application
        self.media = media
        self.colour = colour
        self.sides = sides
    }

    /// Number of fields that are not `*`.
    public var specificFieldCount: Int {
        [application, media, colour, sides].filter { $0 }.count
    }

    private var rankKey: [Int] {
        [specificFieldCount] + [application, media, colour, sides].map { $0 ? 1 : 0 }
    }

    public static func < (lhs: RuleSpecificity, rhs: RuleSpecificity) -> Bool {
        lhs.rankKey.lexicographicallyPrecedes(rhs.rankKey)
    }

    /// `2 fields: media, colour`.
    public var description: String {
        var named: [String] = []
        if application { named.append("application") }
        if media { named.append("media") }
        if colour { named.append("colour") }
        if sides { named.append("sides") }
        let fields = specificFieldCount == 1 ? "field" : "fields"
        return named.isEmpty ? "0 fields (catch-all)" : "\(specificFieldCount) \(fields): " + named.joined(separator: ", ")
    }
}
