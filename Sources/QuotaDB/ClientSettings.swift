import Foundation

/// What users may do in Tollgate's own clients (the release station and the portal): Pharos's
/// "Enable Account Management on clients". Kept in the `setting` table (no schema change).
public struct ClientSettings: Hashable, Sendable, Codable {
    /// Users may choose the account a job is charged to when they release it, and change their
    /// active account in the portal. Off: every job is charged to the user's active account (the
    /// first usable one, or the one an administrator set), then the personal wallet.
    public var accountChoice: Bool

    public init(accountChoice: Bool) {
        self.accountChoice = accountChoice
    }

    /// Until an administrator says otherwise: users choose.
    public static let defaults = ClientSettings(accountChoice: true)
}

/// Site-wide settings of the user-facing front ends (the station, the portal).
public protocol ClientSettingsStore: Sendable {
    func clientSettings() throws(QuotaError) -> ClientSettings
    func setClientSettings(_ settings: ClientSettings) throws(QuotaError)
}

extension SQLQuotaStore: ClientSettingsStore {
    static let accountChoiceKey = "clients.account-choice"

    /// The client settings; ``ClientSettings/defaults`` for what was never set.
    public func clientSettings() throws(QuotaError) -> ClientSettings {
        try read { db in
            let value = try db.value(String.self, sql: "SELECT value FROM setting WHERE key = ?", arguments: [Self.accountChoiceKey])
            return ClientSettings(accountChoice: value.map { $0 != "off" } ?? ClientSettings.defaults.accountChoice)
        }
    }

    public func setClientSettings(_ settings: ClientSettings) throws(QuotaError) {
        try write { db in
            try db.run(sql: "INSERT INTO setting(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [Self.accountChoiceKey, settings.accountChoice ? "on" : "off"])
        }
    }
}
