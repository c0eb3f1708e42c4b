/// Checks that a POST comes from one of the station's own pages.
///
/// Two independent checks: the per-session CSRF token (compared in constant time), and, when
/// the browser sends them, the `Origin` and `Sec-Fetch-Site` headers (a cross-site form post or
/// `fetch` is refused even before the token is looked at).
public enum CSRFGuard {
    /// Whether `presented` (form field or header) is the session's CSRF token.
    public static func tokenMatches(_ presented: String?, session: Session) -> Bool {
        guard let presented else { return false }
        return SecretToken.constantTimeEquals(presented, session.csrfToken)
    }

    /// Whether a request with these headers may change anything. `origin` is the `Origin`
    /// header, `host` the `Host` header, `fetchSite` the `Sec-Fetch-Site` header. A request
    /// without `Origin` (older browsers, curl) passes this check and relies on the token alone.
    /// The scheme of `Origin` is not compared: behind a TLS reverse proxy the browser's origin is
    /// `https://…` while the station itself is reached over plain HTTP on loopback.
    public static func originAllowed(origin: String?, host: String?, fetchSite: String?) -> Bool {
        if let fetchSite, fetchSite != "same-origin", fetchSite != "none" { return false }
        guard let origin else { return true }
        guard let host, !host.isEmpty else { return false }
        guard let schemeEnd = origin.range(of: "://") else { return false }  // includes "null"
        let authority = origin[schemeEnd.upperBound...]
        return authority.lowercased() == host.lowercased()
    }
}
