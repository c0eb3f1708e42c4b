/// Why a rates card was rejected when loaded. Messages name the rules involved; the TOML
/// importer adds line numbers.
public enum RatesCardError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The card has no name.
    case emptyName
    /// The version is not a positive integer.
    case invalidVersion(Int)
    /// A rule has no name.
    case unnamedRule(index: Int)
    /// Two rules share a name.
    case duplicateRuleName(String)
    /// A rule's media is not a well-formed PWG name.
    case invalidMedia(rule: String, media: String)
    /// A rule's application glob is empty.
    case emptyApplicationGlob(rule: String)
    /// An amount is negative. `field` is `per_side` (of `rule`), `per_sheet`, `per_job` or
    /// `unknown_format`.
    case negativeAmount(field: String, rule: String?, amount: ExactAmount)
    /// An amount is in another currency than the card.
    case wrongCurrency(field: String, rule: String?, amount: ExactAmount, cardCurrency: Currency)
    /// Two rules of equal specificity can match the same page side, so neither can win.
    case ambiguousRules(first: String, second: String, specificity: RuleSpecificity)

    /// The rule field the error is about (`media`, `application`, `per_side`…), if any.
    public var field: String? {
        switch self {
        case .invalidMedia: return "media"
        case .emptyApplicationGlob: return "application"
        case .negativeAmount(let field, _, _), .wrongCurrency(let field, _, _, _): return field
        default: return nil
        }
    }

    /// The names of the rules the error is about (for locating them in a source file).
    public var ruleNames: [String] {
        switch self {
        case .duplicateRuleName(let name): return [name]
        case .invalidMedia(let rule, _), .emptyApplicationGlob(let rule): return [rule]
        case .negativeAmount(_, let rule?, _), .wrongCurrency(_, let rule?, _, _): return [rule]
        case .ambiguousRules(let first, let second, _): return [first, second]
        default: return []
        }
    }

    public var description: String {
        switch self {
        case .emptyName:
            return "the rates card needs a name"
        case .invalidVersion(let version):
            return "version must be a positive whole number, not \(version)"
        case .unnamedRule(let index):
            return "rule #\(index + 1) has no name: give every rule a unique name"
        case .duplicateRuleName(let name):
            return "two rules are named \"\(name)\": rule names must be unique"
        case .invalidMedia(let rule, let media):
            return "rule \"\(rule)\": \"\(media)\" is not a PWG media name (such as iso_a4_210x297mm) or \"*\""
        case .emptyApplicationGlob(let rule):
            return "rule \"\(rule)\": application is empty; use \"*\" for any application"
        case .negativeAmount(let field, let rule, let amount):
            return "\(Self.describe(field, rule)) is negative (\(amount)); prices must be zero or more"
        case .wrongCurrency(let field, let rule, let amount, let cardCurrency):
            return "\(Self.describe(field, rule)) is in \(amount.currency.code), but the card charges in \(cardCurrency.code)"
        case .ambiguousRules(let first, let second, let specificity):
            return "rules \"\(first)\" and \"\(second)\" are equally specific (\(specificity)) and can match the same page side; "
                + "make one of them more specific, or narrow one so they no longer overlap"
        }
    }

    private static func describe(_ field: String, _ rule: String?) -> String {
        rule.map { "\(field) of rule \"\($0)\"" } ?? field
    }
}
