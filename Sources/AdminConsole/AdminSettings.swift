import Foundation

/// Settings of the admin console (`tollgated --admin-group`, `--admin-idle-timeout`).
public struct AdminSettings: Sendable {
    /// Members of this system group (read through NSS at sign-in) may use the console.
    public var adminGroup: String
    /// Seconds without a request after which an admin session ends.
    public var idleTimeout: TimeInterval
    /// Mark the admin cookie `Secure` (and name it `__Host-tollgate-admin`): behind HTTPS only.
    public var secureCookies: Bool
    /// Where the rates cards live (`$TOLLGATE_RATES_DIR`, else `/etc/tollgate/rates`), as the backend reads them.
    public var ratesDirectory: String
    /// `tollgate-analyse`, for the quote box: `$TOLLGATE_ANALYSE`, else next to this program, else
    /// `/usr/lib/tollgate/tollgate-analyse` (as the backend and `tollgate quote` find it).
    public var analyser: String

    public init(adminGroup: String = "lpadmin", idleTimeout: TimeInterval = 900, secureCookies: Bool = false,
                ratesDirectory: String = ProcessInfo.processInfo.environment["TOLLGATE_RATES_DIR"] ?? "/etc/tollgate/rates",
                analyser: String? = nil) {
        let environment = ProcessInfo.processInfo.environment
        let nextToMe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("tollgate-analyse").path
        self.analyser = analyser ?? environment["TOLLGATE_ANALYSE"]
            ?? (FileManager.default.isExecutableFile(atPath: nextToMe) ? nextToMe : "/usr/lib/tollgate/tollgate-analyse")
        self.adminGroup = adminGroup
        self.idleTimeout = idleTimeout
        self.secureCookies = secureCookies
        self.ratesDirectory = ratesDirectory
    }

    /// The admin session cookie's name: never the station's, so a station session is no admin session.
    public var cookieName: String { secureCookies ? "__Host-tollgate-admin" : "tollgate_admin" }
}

/// Who is using the console: a signed-in member of the admin group.
public struct AdminIdentity: Sendable, Hashable {
    /// The system user name PAM signed in.
    public var user: String

    public init(user: String) { self.user = user }

    /// What the ledger records as the actor of every change made in the console: `admin:alice`.
    public var actor: String { "admin:\(user)" }
}

/// A user name as the quota database accepts it (what `tollgate credit USER` takes): 1–256
/// characters, no blanks or control characters. Wider than the station's sign-in rule, so every
/// user the ledger knows can be opened in the console (their names are escaped wherever shown).
enum AdminUserName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 256
            && !name.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.isWhitespace }
    }
}
