#if canImport(Glibc)
import Glibc
#endif

/// Writes the prefixed status lines cupsd reads from a backend's stderr (`DEBUG:`, `INFO:`,
/// `ERROR:`, `JOBSTATE:` …). Every line is made single-line and free of control characters first,
/// because job titles, user names and URIs come from users and must not forge status lines.
public struct BackendLog: Sendable {
    private let fd: Int32

    /// A log writing to `fd` (stderr unless a test says otherwise).
    public init(fd: Int32 = 2) {
        self.fd = fd
    }

    public func debug(_ message: String) { emit("DEBUG", message) }
    public func info(_ message: String) { emit("INFO", message) }
    public func warning(_ message: String) { emit("WARNING", message) }
    public func error(_ message: String) { emit("ERROR", message) }

    /// Writes `PREFIX: message` as one line.
    public func emit(_ prefix: String, _ message: String) {
        writeAll(fd, prefix + ": " + BackendLog.singleLine(message) + "\n")
    }

    /// `text` with every control character (newlines included) replaced by a space.
    public static func singleLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map {
            ($0.value < 0x20 || $0.value == 0x7F) ? " " : $0
        }))
    }
}

/// Writes the whole string to `fd`, retrying short writes and EINTR; errors are ignored (there is
/// nowhere left to report them).
func writeAll(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    bytes.withUnsafeMutableBytes { buffer in
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}
