#if canImport(Glibc)
import Glibc
#endif

/// The unprivileged user and group cupsd runs filters and backends as: `User` and `Group` in
/// `cups-files.conf` (defaults `lp` and `lp`, as on Debian).
public struct CupsRunUser: Equatable, Sendable {
    public var user: String
    public var group: String

    public init(user: String = "lp", group: String = "lp") {
        self.user = user
        self.group = group
    }

    /// Reads `User` and `Group` from the text of a cups-files.conf. Directive names are
    /// case-insensitive; comments and other directives are ignored; a missing file or directive
    /// keeps the default. A numeric value such as `User 7` is kept as a number.
    public init(cupsFilesConf text: String) {
        self.init()
        for (name, value) in cupsFilesDirectives(text) {
            switch name {
            case "user": user = value
            case "group": group = value
            default: continue
            }
        }
    }

    /// Reads `serverRoot/cups-files.conf`; defaults when it cannot be read.
    public init(serverRoot: String) {
        if let text = readSmallFile(serverRoot + "/cups-files.conf", limit: 1 << 20) {
            self.init(cupsFilesConf: text)
        } else {
            self.init()
        }
    }

    /// The numeric ids, or `unknownRunUser` when NSS knows neither the name nor the number.
    public func resolve() throws(BackendError) -> (uid: uid_t, gid: gid_t) {
        let uid: uid_t? = if let entry = getpwnam(user) { entry.pointee.pw_uid } else { uid_t(user) }
        let gid: gid_t? = if let entry = getgrnam(group) { entry.pointee.gr_gid } else { gid_t(group) }
        guard let uid, let gid else { throw .unknownRunUser(user: user, group: group) }
        return (uid, gid)
    }
}

/// The `Directive value` lines of a cups-files.conf, directive names lowercased (cupsd reads
/// them case-insensitively), comments skipped, the first word of the value kept.
func cupsFilesDirectives(_ text: String) -> [(String, String)] {
    text.split(whereSeparator: \.isNewline).compactMap { line in
        let words = line.split(whereSeparator: \.isWhitespace)
        guard words.count >= 2, !words[0].hasPrefix("#") else { return nil }
        return (words[0].lowercased(), String(words[1]))
    }
}

/// The text of a file of at most `limit` bytes, or nil.
func readSmallFile(_ path: String, limit: Int) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while bytes.count <= limit {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[..<n])
    }
    return bytes.count <= limit ? String(decoding: bytes, as: UTF8.self) : nil
}
