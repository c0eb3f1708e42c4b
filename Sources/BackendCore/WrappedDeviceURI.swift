import CCups

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

    /// Checks `uri` with libcups's own URI parser (the one the real backends use) and returns its
    /// scheme, lowercased.
    private static func validatedScheme(of uri: String) throws(BackendError) -> String {
        let shown = BackendLog.singleLine(redacted(uri))
        if uri.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            throw .malformedRealURI(uri: shown, reason: "it contains spaces or control characters")
        }
        var scheme = [CChar](repeating: 0, count: 64)
        var username = [CChar](repeating: 0, count: 256)
        var host = [CChar](repeating: 0, count: 256)
        var resource = [CChar](repeating: 0, count: 1024)
        var port: Int32 = 0
        let status = httpSeparateURI(HTTP_URI_CODING_MOST, uri,
                                     &scheme, Int32(scheme.count),
                                     &username, Int32(username.count),
                                     &host, Int32(host.count), &port,
                                     &resource, Int32(resource.count))
        if let reason = uriProblem(status) {
            throw .malformedRealURI(uri: shown, reason: reason)
        }
        let name = decodeCString(scheme).lowercased()
        // The scheme becomes a file name under backend/: allow only what RFC 3986 allows.
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E
        }
        guard !name.isEmpty, allowed, name.utf8.first.map({ $0 >= 0x61 && $0 <= 0x7A }) == true else {
            throw .malformedRealURI(uri: shown, reason: "bad scheme")
        }
        return name
    }

    /// libcups's verdict in words, or nil when the URI is usable. Unknown schemes are fine (third
    /// party backends such as `hp:` have their own); a URI without a scheme is not.
    private static func uriProblem(_ status: http_uri_status_t) -> String? {
        switch status {
        case HTTP_URI_STATUS_OK, HTTP_URI_STATUS_UNKNOWN_SCHEME, HTTP_URI_STATUS_MISSING_RESOURCE:
            nil
        case HTTP_URI_STATUS_MISSING_SCHEME: "no scheme such as ipp:// or socket://"
        case HTTP_URI_STATUS_BAD_SCHEME: "bad scheme"
        case HTTP_URI_STATUS_BAD_HOSTNAME: "bad host name"
        case HTTP_URI_STATUS_BAD_PORT: "bad port number"
        case HTTP_URI_STATUS_BAD_USERNAME: "bad user name"
        case HTTP_URI_STATUS_BAD_RESOURCE: "bad resource path"
        case HTTP_URI_STATUS_OVERFLOW: "too long"
        default: "libcups cannot parse it"
        }
    }
}

/// Decodes a NUL-terminated C string held in a Swift array.
func decodeCString(_ buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { pointer in
        let bytes = UnsafeRawBufferPointer(pointer)
        let length = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<length], as: UTF8.self)
    }
}
