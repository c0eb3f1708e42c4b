/// Why a job could not be priced. A job that cannot be priced must not print for free: the
/// caller holds it and shows this message.
public enum QuoteError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No rule of the card matches a page side.
    case noMatchingRule(card: String, media: MediaName, colour: ColourMode, sides: Sides, application: String?)
    /// Copies below 1.
    case invalidCopies(Int)
    /// A run of pages with a negative count.
    case invalidPageCount(Int)
    /// A document understood as having no pages at all.
    case noPages
    /// The job is too large to price exactly in 64 bits.
    case tooLarge(MoneyError)

    public var description: String {
        switch self {
        case .noMatchingRule(let card, let media, let colour, let sides, let application):
            return "rates card \"\(card)\" has no rule for a \(colour) \(media.pwgName) page side in a \(sides) job"
                + " from \(application.map { "\"\($0)\"" } ?? "an unknown application")"
                + "; add a rule for it (or a catch-all rule with \"*\" fields)"
        case .invalidCopies(let copies):
            return "copies must be at least 1, not \(copies)"
        case .invalidPageCount(let count):
            return "a page count cannot be negative (\(count))"
        case .noPages:
            return "the document has no pages to print, so there is nothing to price; check the document"
        case .tooLarge(let error):
            return "the job is too large to price: \(error); check its page count and copies"
        }
    }
}
