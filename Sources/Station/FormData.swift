import Foundation

/// An `application/x-www-form-urlencoded` body (what an HTML form posts). A name given twice
/// keeps its first value.
public struct FormData: Sendable, Hashable {
    public private(set) var fields: [String: String] = [:]

    /// Parses `body`; malformed percent escapes leave the value as sent.
    public init(_ body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = FormData.decode(parts[0])
            guard !name.isEmpty, fields[name] == nil else { continue }
            fields[name] = parts.count > 1 ? FormData.decode(parts[1]) : ""
        }
    }

    public subscript(_ name: String) -> String? { fields[name] }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
