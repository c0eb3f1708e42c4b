import Foundation

/// Where the quota database lives.
///
/// Precedence: an explicit path (`--db PATH`), then the environment variable `TOLLGATE_DB`,
/// then ``defaultPath``.
public struct DatabaseLocation: Hashable, Sendable, CustomStringConvertible {
    /// `/var/lib/tollgate/tollgate.db`.
    public static let defaultPath = "/var/lib/tollgate/tollgate.db"
    /// The environment variable that overrides the default path.
    public static let environmentVariable = "TOLLGATE_DB"

    /// The database file path, or a PostgreSQL connection URI (``isPostgreSQL``).
    public let path: String

    /// A location at exactly `path`.
    public init(path: String) {
        self.path = path
    }

    /// Resolves the path from an explicit choice, else `environment["TOLLGATE_DB"]`, else the default.
    public static func resolve(
        explicit: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> DatabaseLocation {
        if let explicit, !explicit.isEmpty { return DatabaseLocation(path: explicit) }
        if let fromEnv = environment[environmentVariable], !fromEnv.isEmpty { return DatabaseLocation(path: fromEnv) }
        return DatabaseLocation(path: defaultPath)
    }

    /// A PostgreSQL database (a libpq URI, `postgresql://host/db?sslmode=verify-full`), not a file.
    /// Passwords come from libpq's passfile or peer / certificate authentication, never the URI.
    public var isPostgreSQL: Bool { path.hasPrefix("postgresql://") || path.hasPrefix("postgres://") }

    public var description: String { path }
}
