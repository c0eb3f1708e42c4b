import Pricing

/// Why a TOML rates card was rejected, with the line (1-based) to look at when known.
public enum RatesCardTOMLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The text is not valid TOML.
    case syntax(line: Int, column: Int, message: String)
    /// A required key is missing (`line` is the rule's header, `nil` at top level).
    case missingKey(key: String, table: String, line: Int?)
    /// A key the format does not know (often a typo: it would otherwise silently be ignored).
    case unknownKey(key: String, table: String, line: Int?)
    /// A value of the wrong kind or form.
    case invalidValue(key: String, table: String, line: Int?, problem: String)
    /// The card's rules are inconsistent (duplicate names, ambiguous rules…); `lines` are the
    /// lines of the rules involved.
    case invalidCard(RatesCardError, lines: [Int])

    /// The first line the error points at, if known.
    public var line: Int? {
        switch self {
        case .syntax(let line, _, _): return line
        case .missingKey(_, _, let line), .unknownKey(_, _, let line), .invalidValue(_, _, let line, _): return line
        case .invalidCard(_, let lines): return lines.first
        }
    }

    public var description: String {
        switch self {
        case .syntax(let line, let column, let message):
            return "line \(line), column \(column): not valid TOML: \(message)"
        case .missingKey(let key, let table, let line):
            return "\(Self.place(line))\(table) is missing \"\(key)\""
        case .unknownKey(let key, let table, let line):
            return "\(Self.place(line))\(table) has an unknown key \"\(key)\" (check the spelling; see rates/README.md)"
        case .invalidValue(let key, let table, let line, let problem):
            return "\(Self.place(line))\(table): \"\(key)\" \(problem)"
        case .invalidCard(let error, let lines):
            guard !lines.isEmpty else { return error.description }
            let where_ = lines.count == 1 ? "line \(lines[0])" : "lines " + lines.map(String.init).joined(separator: " and ")
            return "\(where_): \(error)"
        }
    }

    private static func place(_ line: Int?) -> String {
        line.map { "line \($0): " } ?? ""
    }
}
