import Pricing
import TOMLKit

extension RatesCard {
    /// Top-level keys of the TOML format (see rates/README.md).
    static let tomlCardKeys: Set<String> = [
        "name", "version", "currency", "currency_decimals", "unknown_format", "per_sheet", "per_job", "rule",
    ]
    /// Keys of one `[[rule]]` table.
    static let tomlRuleKeys: Set<String> = ["name", "media", "colour", "sides", "application", "per_side"]

    /// Reads and validates a rates card written in TOML (format: rates/README.md).
    ///
    /// Every error names the line to fix: TOML syntax errors where the parser stopped, bad or
    /// unknown keys where they are written, card-level problems (duplicate names, ambiguous
    /// rules) at the `[[rule]]` headers of the rules involved.
    public init(toml text: String) throws(RatesCardTOMLError) {
        let root: TOMLTable
        if let (line, column) = TOMLHeaderGuard.unnamedHeader(in: text) {
            throw .syntax(line: line, column: column,
                          message: "a table header needs a name here: a bare key (letters, digits, _ and -) or a quoted one, as in [[rule]]")
        }
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .syntax(line: error.source.begin.line, column: error.source.begin.column, message: error.description)
        } catch {
            throw .syntax(line: 1, column: 1, message: "\(error)")
        }
        let source = TOMLSourceIndex(source: text)
        let card = TOMLTableReader(table: root, section: .root, tableName: "the card", source: source)
        try card.rejectUnknownKeys(allowed: RatesCard.tomlCardKeys)

        let name = try card.requiredString("name")
        guard let version = try card.int("version") else { throw card.missing("version") }
        let currency = try RatesCard.currency(from: card)
        let unknownFormat = try card.requiredAmount("unknown_format", currency: currency)
        let perSheet = try card.amount("per_sheet", currency: currency)
        let perJob = try card.amount("per_job", currency: currency)
        let rules = try RatesCard.rules(from: card, currency: currency)

        do {
            try self.init(
                name: name, version: version, currency: currency, rules: rules, perSheet: perSheet, perJob: perJob,
                unknownFormatPerCopy: unknownFormat)
        } catch {
            throw RatesCard.locate(error, rules: rules, in: card)
        }
    }

    // MARK: - Parts

    private static func currency(from card: TOMLTableReader) throws(RatesCardTOMLError) -> Currency {
        let code = try card.requiredString("currency")
        let decimals = try card.int("currency_decimals")
        if decimals == nil, let known = Currency.wellKnown(code: code) { return known }
        guard let decimals else {
            throw card.invalid("currency", "\"\(code)\" is not a currency Tollgate knows: add currency_decimals = 2 (or the right number)")
        }
        do {
            return try Currency(code: Currency.wellKnown(code: code)?.code ?? code, exponent: decimals)
        } catch {
            throw card.invalid((0...Currency.maximumExponent).contains(decimals) ? "currency" : "currency_decimals", "is not valid: \(error)")
        }
    }

    private static func rules(from card: TOMLTableReader, currency: Currency) throws(RatesCardTOMLError) -> [PriceRule] {
        guard let value = card.table["rule"] else { return [] }
        guard let array = value.array else {
            throw .invalidValue(
                key: "rule", table: "the card", line: card.source.line(of: .other("rule")) ?? card.line(of: "rule"),
                problem: "must be written as [[rule]] tables (double brackets), one per rule")
        }
        var rules: [PriceRule] = []
        for (index, element) in array.enumerated() {
            let section = TOMLSourceIndex.Section.rule(index)
            guard let table = element.table else {
                throw .invalidValue(
                    key: "rule", table: "the card", line: card.line(of: "rule"), problem: "must contain only [[rule]] tables")
            }
            let nameForMessages = table["name"]?.string.map { "rule \"\($0)\"" } ?? "rule #\(index + 1)"
            let reader = TOMLTableReader(table: table, section: section, tableName: nameForMessages, source: card.source)
            rules.append(try rule(from: reader, currency: currency))
        }
        return rules
    }

    private static func rule(from reader: TOMLTableReader, currency: Currency) throws(RatesCardTOMLError) -> PriceRule {
        try reader.rejectUnknownKeys(allowed: tomlRuleKeys)
        let name = try reader.requiredString("name")

        let media: FieldPattern<MediaName> = try pattern(reader, "media") { MediaName($0) }
        let colour: FieldPattern<ColourMode> = try pattern(reader, "colour") { text throws(RatesCardTOMLError) in
            guard let mode = ColourMode(rawValue: text) else {
                throw reader.invalid("colour", "must be \"colour\", \"monochrome\" or \"*\", not \"\(text)\"")
            }
            return mode
        }
        let sides: FieldPattern<Sides> = try pattern(reader, "sides") { text throws(RatesCardTOMLError) in
            guard let sides = Sides(rawValue: text) else {
                throw reader.invalid("sides", "must be \"one-sided\", \"two-sided\" or \"*\", not \"\(text)\"")
            }
            return sides
        }
        let application: FieldPattern<ApplicationGlob> = try pattern(reader, "application") { ApplicationGlob($0) }
        let price = try reader.requiredAmount("per_side", currency: currency)
        return PriceRule(
            name: name, media: media, colour: colour, sides: sides, application: application, pricePerSide: price)
    }

    /// A rule field: absent or `"*"` is any value.
    private static func pattern<Value>(
        _ reader: TOMLTableReader, _ key: String, _ make: (String) throws(RatesCardTOMLError) -> Value
    ) throws(RatesCardTOMLError) -> FieldPattern<Value> {
        guard let text = try reader.string(key), text != "*" else { return .any }
        return .only(try make(text))
    }

    /// Adds the lines of the rules a card error is about: the line of the field at fault when
    /// there is one (a negative `per_side`), else the rules' `[[rule]]` headers.
    private static func locate(_ error: RatesCardError, rules: [PriceRule], in card: TOMLTableReader) -> RatesCardTOMLError {
        var lines: [Int] = []
        let field = error.ruleNames.count == 1 ? error.field : nil
        for name in error.ruleNames {
            for (index, rule) in rules.enumerated() where rule.name == name {
                if let line = card.source.line(of: field, in: .rule(index)) { lines.append(line) }
            }
        }
        switch error {
        case .emptyName: if let line = card.line(of: "name") { lines = [line] }
        case .invalidVersion: if let line = card.line(of: "version") { lines = [line] }
        case .unnamedRule(let index): if let line = card.source.line(of: .rule(index)) { lines = [line] }
        case .negativeAmount(let field, nil, _), .wrongCurrency(let field, nil, _, _):
            if let line = card.line(of: field) { lines = [line] }
        default: break
        }
        return .invalidCard(error, lines: Array(Set(lines)).sorted())
    }
}
