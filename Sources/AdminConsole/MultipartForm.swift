import Foundation

/// A `multipart/form-data` body (RFC 7578: an HTML form with a file input), parsed in memory.
///
/// Failure policy: a body without the boundary, or a part without `Content-Disposition:
/// form-data; name=…`, makes the whole form malformed (`nil`); nothing is guessed. Text fields
/// keep their first value; only the first file of a name is kept.
struct MultipartForm: Sendable {
    struct File: Sendable {
        var filename: String
        var contentType: String?
        var data: Data
    }

    private(set) var fields: [String: String] = [:]
    private(set) var files: [String: File] = [:]

    /// The boundary of a `multipart/form-data` content type, or `nil` for any other type.
    static func boundary(contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            let value = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    init?(_ body: Data, boundary: String) {
        let delimiter = Data("--\(boundary)".utf8)
        let crlf = Data("\r\n".utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        guard var cursor = body.range(of: delimiter)?.upperBound else { return nil }
        while true {
            // After a delimiter: "--" ends the body, else CRLF and a part.
            if body[cursor...].starts(with: Data("--".utf8)) { return }
            guard body[cursor...].starts(with: crlf) else { return nil }
            cursor += 2
            guard let headersRange = body.range(of: headerEnd, in: cursor..<body.endIndex) else { return nil }
            let headers = String(decoding: body[cursor..<headersRange.lowerBound], as: UTF8.self)
            guard let next = body.range(of: crlf + delimiter, in: headersRange.upperBound..<body.endIndex) else { return nil }
            let content = body[headersRange.upperBound..<next.lowerBound]
            var name: String?
            var filename: String?
            var contentType: String?
            for line in headers.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    guard lower.contains("form-data") else { return nil }
                    name = Self.parameter("name", in: line)
                    filename = Self.parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            guard let name else { return nil }
            if let filename {
                if files[name] == nil { files[name] = File(filename: filename, contentType: contentType, data: Data(content)) }
            } else if fields[name] == nil {
                fields[name] = String(decoding: content, as: UTF8.self)
            }
            cursor = next.upperBound
        }
    }

    /// `name="value"` in a header line (quotes required, as browsers send them).
    private static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            let value = pair[1]
            guard value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 else { return value }
            return String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
        }
        return nil
    }

    /// The text fields as an urlencoded body (for ``FormData``).
    var urlencoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }
}
