/// argv[5], the job's options as cupsd writes them for backends (`name=value name2='a b' flag`),
/// read the way libcups's `cupsParseOptions` reads them, so that what the real backend will see
/// as an option is exactly what is removed or replaced here.
///
/// Used to force a queue's job rules on the real backend (``forcing(_:in:)``): every option that
/// names the same setting (case-insensitively, as `cupsGetOption` compares; `noNAME` is `NAME`
/// set to false) is removed, and the forced value is appended. Every other option keeps its bytes.
public enum JobOptionsText {
    /// One option of the text: its name as libcups reads it, and where it is in the text.
    public struct Option: Equatable, Sendable {
        public var name: String
        /// The option's bytes, value and quotes included.
        public var text: Substring
        /// True for a bare `NAME` or `noNAME` (libcups's true/false).
        public var isBoolean: Bool
    }

    /// The options of `text`, in order.
    public static func options(_ text: String) -> [Option] {
        let spaces: Set<Character> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]
        var options: [Option] = []
        var index = text.startIndex
        func skipSpaces() { while index < text.endIndex, spaces.contains(text[index]) { index = text.index(after: index) } }
        while true {
            skipSpaces()
            guard index < text.endIndex else { break }
            let start = index
            while index < text.endIndex, text[index] != "=", !spaces.contains(text[index]) { index = text.index(after: index) }
            let name = String(text[start..<index])
            let nameEnd = index
            skipSpaces()
            guard index < text.endIndex, text[index] == "=" else {
                // A boolean: libcups reads `noNAME` as NAME=false.
                let bare = name.lowercased().hasPrefix("no") ? String(name.dropFirst(2)) : name
                options.append(Option(name: bare, text: text[start..<nameEnd], isBoolean: true))
                continue
            }
            index = text.index(after: index)
            // The value: up to a space outside quotes and braces; a backslash escapes one character.
            var quote: Character? = nil
            var depth = 0
            while index < text.endIndex {
                let character = text[index]
                if let open = quote {
                    if character == "\\" {
                        index = text.index(after: index)
                        if index == text.endIndex { break }
                    } else if character == open {
                        quote = nil
                    }
                } else if character == "\\" {
                    index = text.index(after: index)
                    if index == text.endIndex { break }
                } else if character == "'" || character == "\"" {
                    quote = character
                } else if character == "{" {
                    depth += 1
                } else if character == "}" {
                    depth = max(0, depth - 1)
                } else if depth == 0, spaces.contains(character) {
                    break
                }
                index = text.index(after: index)
            }
            options.append(Option(name: name, text: text[start..<index], isBoolean: false))
        }
        return options
    }

    /// `text` without any option that sets one of `forced`'s names or `synonyms` (names compared
    /// case-insensitively), with `name=value` of each forced option appended. The forced values
    /// are IPP keywords: they need no quoting.
    public static func forcing(_ forced: [(name: String, value: String)], removing synonyms: Set<String> = [], in text: String) -> String {
        let removed = Set(forced.map { $0.name.lowercased() }).union(synonyms.map { $0.lowercased() })
        let kept = options(text).filter { !removed.contains($0.name.lowercased()) }.map { String($0.text) }
        return (kept + forced.map { "\($0.name)=\($0.value)" }).joined(separator: " ")
    }
}
