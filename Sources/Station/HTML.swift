/// Building HTML from text that may come from anyone (job titles, user names, error messages).
///
/// Every piece of text that reaches a page goes through ``HTML/escape(_:)``; markup is only ever
/// written by the station's own page code.
public enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references, safe both
    /// between tags and inside a quoted attribute value. Control characters other than tab,
    /// newline and carriage return are dropped (they have no business in a job title).
    public static func escape(_ text: some StringProtocol) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
