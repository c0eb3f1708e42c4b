/// A `tollgate:REAL-URI` device URI, split into the real printer's URI and its scheme (which names
/// the real backend: `ipp` → `$CUPS_SERVERBIN/backend/ipp`).
public struct WrappedDeviceURI: Sendable, Equatable {
    /// Our URI scheme.
    public static let scheme = "tollgate"

    /// The real printer's URI, credentials included, exactly as configured: it becomes the real
    /// backend's `DEVICE_URI`.
    public let realURI: String
    /// The real URI's scheme, lowercased: the file name of the real backend.
    public let realScheme: String

    /// Parses a device URI of the form `tollgate:REAL-URI`.
    ///
    /// Refuses an empty or malformed real URI and `tollgate:tollgate:…`, so that a mistyped
    /// `lpadmin -v` stops the queue with a message instead of printing somewhere unexpected.
    public init(parsing deviceURI: String) throws(BackendError) {
        let prefix = WrappedDeviceURI.scheme + ":"
        guard deviceURI.lowercased().hasPrefix(prefix) else {
            throw .notATollgateURI(BackendLog.singleLine(deviceURI))
        }
        let real = String(deviceURI.dropFirst(prefix.count))
        guard !real.isEmpty else { throw .emptyRealURI }
        if real.lowercased().hasPrefix(prefix) { throw .recursiveURI }

        let scheme = try WrappedDeviceURI.validatedScheme(of: real)
        if scheme == WrappedDeviceURI.scheme { throw .recursiveURI }
        self.realURI = real
        self.realScheme = scheme
    }

    /// The real URI without user name or password, as cupsd shows URIs in argv[0] and logs.
    public var redactedRealURI: String {
        WrappedDeviceURI.redacted(realURI)
    }

    /// `uri` without the `user:password@` part of its authority, if any.
    public static func redacted(_ uri: String) -> String {
        let bytes = Array(uri.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
              bytes.count > colon + 2,
              bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/") else { return uri }
        let authorityStart = colon + 3
        let terminators: Set<UInt8> = [UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")]
        let authorityEnd = bytes[authorityStart...].firstIndex(where: terminators.contains) ?? bytes.count
        guard let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) else { return uri }
        return String(decoding: bytes[..<authorityStart] + bytes[(at + 1)...], as: UTF8.self)
    }

    /// Checks `uri` the way libcups's httpSeparateURI (which the real backends use) judges it, and
    /// returns its scheme, lowercased. Unknown schemes are fine (third-party backends such as
    /// `hp:` have their own); a URI without a scheme, or with a bad host, port or user name, is not.
    /// (Parsed here rather than by libcups: the backend no longer loads libcups at all.)
    private static func validatedScheme(of uri: String) throws(BackendError) -> String {
        let shown = BackendLog.singleLine(redacted(uri))
        func malformed(_ reason: String) -> BackendError { .malformedRealURI(uri: shown, reason: reason) }
        let bytes = Array(uri.utf8)
        if bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) { throw malformed("it contains spaces or control characters") }
        guard bytes.count <= 1024 else { throw malformed("too long") }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
            throw malformed("no scheme such as ipp:// or socket://")
        }
        // The scheme becomes a file name under backend/: only what RFC 3986 allows.
        let name = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E
        }
        guard allowed, let first = name.utf8.first, first >= 0x61 && first <= 0x7A else { throw malformed("bad scheme") }

        let rest = bytes[(colon + 1)...]
        guard rest.starts(with: "//".utf8) else { return name }        // scheme:/path, as hp:/usb/…
        let authorityStart = colon + 3
        let authorityEnd = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.count
        var hostStart = authorityStart
        if let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) {
            guard isURIText(bytes[authorityStart..<at], extra: ":") else { throw malformed("bad user name") }
            hostStart = at + 1
        }
        var portStart: Int?
        if bytes[hostStart..<authorityEnd].first == UInt8(ascii: "[") {   // [IPv6 literal], cups's [v1.…+zone] too
            guard let close = bytes[hostStart..<authorityEnd].firstIndex(of: UInt8(ascii: "]")),
                  isURIText(bytes[(hostStart + 1)..<close], extra: ":") else { throw malformed("bad host name") }
            if close + 1 < authorityEnd {
                guard bytes[close + 1] == UInt8(ascii: ":") else { throw malformed("bad host name") }
                portStart = close + 2
            }
        } else {
            let hostEnd = bytes[hostStart..<authorityEnd].firstIndex(of: UInt8(ascii: ":")) ?? authorityEnd
            guard isURIText(bytes[hostStart..<hostEnd], extra: "") else { throw malformed("bad host name") }
            if hostEnd < authorityEnd { portStart = hostEnd + 1 }
        }
        if let portStart {
            let digits = bytes[portStart..<authorityEnd]
            guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let port = Int(String(decoding: digits, as: UTF8.self)), (1...65535).contains(port) else {
                throw malformed("bad port number")
            }
        }
        return name
    }

    /// Whether `text` is RFC 3986 unreserved characters, sub-delims, `%XX` escapes and `extra`.
    private static func isURIText(_ text: ArraySlice<UInt8>, extra: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=".utf8).union(extra.utf8)
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == UInt8(ascii: "%") {
                let hex = Set("0123456789ABCDEFabcdef".utf8)
                guard index + 2 < text.endIndex,
                      hex.contains(text[index + 1]), hex.contains(text[index + 2]) else { return false }
                index += 3
            } else {
                guard allowed.contains(text[index]) else { return false }
                index += 1
            }
        }
        return true
    }
}
