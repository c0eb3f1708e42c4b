import Foundation

/// One answer to a browser-like request (curl with a cookie jar), as the station's and the admin
/// console's tests make them.
public struct BrowserReply: Sendable {
    public var status: Int
    public var body: String
    /// Header names lower-cased.
    public var headers: [String: String]

    public init(status: Int, body: String, headers: [String: String]) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    /// The page's CSRF token (the first `csrf` hidden field).
    public var csrf: String? {
        guard let range = body.range(of: #"name="csrf" value="[0-9a-f]{64}""#, options: .regularExpression) else { return nil }
        return String(body[range].dropLast().suffix(64))
    }

    /// Sends one request with curl, keeping cookies in `jar` (a private directory) as a browser does.
    public static func curl(jar: String, url: String, arguments: [String], headers: [String: String]) throws -> BrowserReply {
        let headerFile = jar + "/headers", bodyFile = jar + "/body"
        var command = ["curl", "-s", "-b", jar + "/cookies", "-c", jar + "/cookies", "-D", headerFile, "-o", bodyFile,
                       "-w", "%{http_code}"] + arguments
        for (name, value) in headers { command += ["-H", "\(name): \(value)"] }
        let result = try ProcessRunner.run(command + [url], timeout: 30)
        guard result.status == 0, let status = Int(result.stdout) else { throw TestFailure("curl \(url): \(result.stderr)") }
        var parsed: [String: String] = [:]
        for line in ((try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? "").split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            parsed[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return BrowserReply(status: status, body: (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? "", headers: parsed)
    }
}
