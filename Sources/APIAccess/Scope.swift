/// What an API client may do. A route names the one it needs; a token carries a subset of its
/// client's.
public enum Scope: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// Credit and debit activities, top-ups: every call that moves money.
    case billingAccounts = "billing-accounts"
    /// Read accounts, users, balances, the ledger and reports.
    case reportsRead = "reports:read"
    /// Create, change and archive accounts (and read them).
    case accountsAdmin = "accounts:admin"
    /// Release or delete anyone's held job (the release charges the owner, as at the station).
    /// Its own scope: a help desk's release terminal needs neither accounts nor credits.
    case jobsRelease = "jobs:release"

    public var description: String { rawValue }

    /// The scopes of an OAuth `scope` parameter (space-separated, RFC 6749 §3.3), or `nil` when
    /// one of them is unknown.
    public static func parseList(_ text: String) -> Set<Scope>? {
        var scopes: Set<Scope> = []
        for word in text.split(whereSeparator: { $0 == " " }) {
            guard let scope = Scope(rawValue: String(word)) else { return nil }
            scopes.insert(scope)
        }
        return scopes
    }

    /// Space-separated, in a stable order (OAuth's form).
    public static func list(_ scopes: Set<Scope>) -> String {
        allCases.filter(scopes.contains).map(\.rawValue).joined(separator: " ")
    }
}

/// The public id of an API client (`tgc_` and 24 hex digits), the OAuth `client_id`.
public struct ClientID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}
