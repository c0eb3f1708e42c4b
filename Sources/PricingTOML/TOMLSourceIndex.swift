/// Where things are in a TOML source text, for error messages: the line of each
/// `[[rule]]` header and of each `key =` line, per table.
///
/// This is a line scanner, not a parser: it runs after TOMLKit accepted the text, understands
/// `[table]` and `[[array]]` headers, `key = value` lines, comments, and skips the inside of
/// multi-line strings. It is only used to put line numbers into messages, so the text is scanned
/// only when a message asks for a line: a valid card (every job loads one) never pays for it.
struct TOMLSourceIndex {
    private final class Storage {
        let source: String
        lazy var lines = Lines(source: source)
        init(source: String) { self.source = source }
    }
    private let storage: Storage

    init(source: String) {
        storage = Storage(source: source)
    }

    /// The line of `key` in `section`, or else the line where the section starts.
    func line(of key: String?, in section: Section) -> Int? {
        storage.lines.line(of: key, in: section)
    }

    /// The line where a section starts (`nil` for the root: it has no header).
    func line(of section: Section) -> Int? {
        storage.lines.line(of: section)
    }
}

extension TOMLSourceIndex {
    /// Which table a line belongs to.
    enum Section: Hashable {
        /// Top-level keys (before any header).
        case root
        /// The n-th (0-based) `[[rule]]` table.
        case rule(Int)
        /// Any other table header, by its normalised name.
        case other(String)
    }

}

/// The scan itself.
private struct Lines {
    typealias Section = TOMLSourceIndex.Section

    /// 1-based line of each `[[rule]]` header, in order.
    private(set) var ruleHeaderLines: [Int] = []
    /// 1-based line of each other table header, by normalised name (`rule` for `[rule]`).
    private(set) var tableHeaderLines: [String: Int] = [:]
    /// 1-based line of each key within each section.
    private var keyLines: [Section: [String: Int]] = [:]

    init(source: String) {
        var section = Section.root
        var openMultiline: String? = nil  // `"""` or `'''` while inside a multi-line string
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            if let delimiter = openMultiline {
                if rawLine.contains(delimiter) { openMultiline = nil }
                continue
            }
            let line = Lines.strippingComment(rawLine).trimmedBlanks()
            if line.hasPrefix("[[") {
                let name = Lines.normalisedHeader(line, brackets: 2)
                if name == "rule" {
                    section = .rule(ruleHeaderLines.count)
                    ruleHeaderLines.append(number)
                } else {
                    section = .other(name)
                    tableHeaderLines[name] = tableHeaderLines[name] ?? number
                }
            } else if line.hasPrefix("[") {
                let name = Lines.normalisedHeader(line, brackets: 1)
                section = .other(name)
                tableHeaderLines[name] = tableHeaderLines[name] ?? number
            } else if let equals = line.firstIndex(of: "=") {
                let key = Lines.unquoted(String(line[..<equals]).trimmedBlanks())
                keyLines[section, default: [:]][key] = keyLines[section]?[key] ?? number
                let value = line[line.index(after: equals)...]
                for delimiter in ["\"\"\"", "'''"] where Lines.occurrences(of: delimiter, in: value) == 1 {
                    openMultiline = delimiter
                }
            }
        }
    }

    /// The line of `key` in `section`, or else the line where the section starts.
    func line(of key: String?, in section: Section) -> Int? {
        if let key, let line = keyLines[section]?[key] { return line }
        return line(of: section)
    }

    /// The line where a section starts (`nil` for the root: it has no header).
    func line(of section: Section) -> Int? {
        switch section {
        case .root: return nil
        case .rule(let index): return index < ruleHeaderLines.count ? ruleHeaderLines[index] : nil
        case .other(let name): return tableHeaderLines[name]
        }
    }

    // MARK: - Helpers

    private static func strippingComment(_ line: Substring) -> Substring {
        var quote: Character? = nil
        var escaped = false
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if escaped { escaped = false } else if character == "\\" && open == "\"" { escaped = true } else if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" {
                return line[..<index]
            }
        }
        return line
    }

    private static func normalisedHeader(_ line: String, brackets: Int) -> String {
        let inner = line.dropFirst(brackets).prefix { $0 != "]" }
        return unquoted(String(inner).trimmedBlanks())
    }

    private static func unquoted(_ key: String) -> String {
        if key.count >= 2, let first = key.first, first == key.last, first == "\"" || first == "'" {
            return String(key.dropFirst().dropLast())
        }
        return key.filter { $0 != " " && $0 != "\t" }
    }

    private static func occurrences(of needle: String, in text: Substring) -> Int {
        var count = 0
        var rest = text[...]
        while let range = rest.firstRange(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}

extension StringProtocol {
    /// The text without leading and trailing blanks (spaces, tabs, carriage returns).
    func trimmedBlanks() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
