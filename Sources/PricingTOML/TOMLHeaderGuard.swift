/// Finds a table header with no name where a name must start: `[ =`, `[ #`, `[[ .a]]`, `[ é]`.
///
/// TOMLKit's parser (toml++ 3) goes on from such a header into its key parser, which assumes a
/// bare key character or a quote there: a failed assertion in a debug build, undefined behaviour
/// in a release build (found by `Fuzz/RatesCard`; the input is in
/// `Tests/Fixtures/fuzz-regressions/FuzzRatesCard/`). Every card is read through this scan first,
/// so such a text is refused with an error naming its line instead of reaching that code.
///
/// A small lexer, not a parser: comments, the four kinds of strings (with their escapes and
/// newlines) and the brackets of values are skipped, so a `[` that starts a line inside an array
/// value or a multi-line string is not taken for a header. Malformed text it misjudges is still
/// rejected by TOMLKit, which stops at the first error before reaching any later header.
enum TOMLHeaderGuard {
    /// The line and column (1-based, in characters) of the first header without a name, or nil.
    static func unnamedHeader(in text: String) -> (line: Int, column: Int)? {
        var bytes = Array(text.utf8)[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        var i = bytes.startIndex
        var line = 1, lineStart = i, depth = 0, atLineStart = true
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        func skipBlanks(_ j: inout Int) { while j < bytes.endIndex, isBlank(bytes[j]) { j += 1 } }
        while i < bytes.endIndex {
            let byte = bytes[i]
            switch byte {
            case 0x0A:
                line += 1
                lineStart = i + 1
                atLineStart = true
                i += 1
                continue
            case 0x20, 0x09, 0x0D:
                i += 1
                continue
            case UInt8(ascii: "#"):
                while i < bytes.endIndex, bytes[i] != 0x0A { i += 1 }
                continue
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                skipString(bytes, &i, line: &line, lineStart: &lineStart)
            case UInt8(ascii: "[") where atLineStart && depth == 0:
                var j = i + 1
                skipBlanks(&j)
                if j < bytes.endIndex, bytes[j] == UInt8(ascii: "[") {
                    j += 1
                    skipBlanks(&j)
                }
                guard j < bytes.endIndex else { return nil }
                let first = bytes[j]
                let named = isBareKeyByte(first) || first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") || first == UInt8(ascii: "]")
                if !named {
                    let column = bytes[lineStart..<j].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
                    return (line, column)
                }
                i = j   // the header's own brackets are not a value's; its `]` leave depth at 0
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                i += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
                i += 1
            default:
                i += 1
            }
            atLineStart = false
        }
        return nil
    }

    /// TOML's bare key characters: A–Z, a–z, 0–9, `_` and `-`.
    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// Moves `i` past the string starting at it: basic (`"`, escapes) or literal (`'`), single-line
    /// (ends at its quote or, unterminated, at the line's end) or multi-line (tripled quotes).
    private static func skipString(_ bytes: ArraySlice<UInt8>, _ i: inout Int, line: inout Int, lineStart: inout Int) {
        let quote = bytes[i]
        let basic = quote == UInt8(ascii: "\"")
        let tripled = i + 2 < bytes.endIndex && bytes[i + 1] == quote && bytes[i + 2] == quote
        i += tripled ? 3 : 1
        while i < bytes.endIndex {
            let byte = bytes[i]
            if basic, byte == UInt8(ascii: "\\") {
                i += 1
                if i < bytes.endIndex, bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
                i += 1
                continue
            }
            if byte == 0x0A {
                guard tripled else { return }
                line += 1
                lineStart = i + 1
            } else if byte == quote {
                if !tripled { i += 1; return }
                if i + 2 < bytes.endIndex, bytes[i + 1] == quote, bytes[i + 2] == quote {
                    i += 3
                    // Up to two more quotes belong to the string (`""""` ends with one inside).
                    while i < bytes.endIndex, bytes[i] == quote { i += 1 }
                    return
                }
            }
            i += 1
        }
    }
}
