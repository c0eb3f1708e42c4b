import Foundation
import Pricing

extension SQLQuotaStore {
    public func addAccount(_ new: NewAccount) throws(QuotaError) -> Account {
        let (soft, hard) = try limitUnits(new.allocation)
        let name = try Self.checkAccountText(new.name, "name")
        let code = try Self.checkAccountText(new.code, "code")
        try Self.checkDates(new.startsAt, new.expiresAt)
        let createdAt = now
        return try write { db in
            try Self.checkUnique(db, name: name, code: code, except: nil)
            let id = try db.value(Int64.self, sql: """
                INSERT INTO account(name, code, enabled, starts_at, expires_at, archived, access, soft_limit, hard_limit, created_at)
                VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?) RETURNING id
                """, arguments: [name, code, new.isEnabled, new.startsAt?.unixMilliseconds, new.expiresAt?.unixMilliseconds,
                                 new.access.rawValue, soft, hard, createdAt.unixMilliseconds])
            return try loadAccount(db, id: id!)
        }
    }

    public func editAccount(_ nameOrCode: String, _ changes: AccountChanges) throws(QuotaError) -> Account {
        var limits: (Int64?, Int64?)?
        if let allocation = changes.allocation { limits = try limitUnits(allocation) }
        let frozenLimits = limits
        return try write { db in
            var account = try findAccount(db, nameOrCode)
            if let name = changes.name { account.name = try Self.checkAccountText(name, "name") }
            if let code = changes.code { account.code = try Self.checkAccountText(code, "code") }
            try Self.checkUnique(db, name: account.name, code: account.code, except: account.id)
            if let enabled = changes.isEnabled { account.isEnabled = enabled }
            if let startsAt = changes.startsAt { account.startsAt = startsAt }
            if let expiresAt = changes.expiresAt { account.expiresAt = expiresAt }
            try Self.checkDates(account.startsAt, account.expiresAt)
            if let archived = changes.isArchived { account.isArchived = archived }
            if let access = changes.access { account.access = access }
            let (soft, hard) = try frozenLimits ?? limitUnits(account.allocation)
            try db.run(sql: """
                UPDATE account SET name = ?, code = ?, enabled = ?, starts_at = ?, expires_at = ?, archived = ?,
                                   access = ?, soft_limit = ?, hard_limit = ? WHERE id = ?
                """, arguments: [account.name, account.code, account.isEnabled, account.startsAt?.unixMilliseconds,
                                 account.expiresAt?.unixMilliseconds, account.isArchived, account.access.rawValue,
                                 soft, hard, account.id])
            return try loadAccount(db, id: account.id)
        }
    }

    public func account(_ nameOrCode: String) throws(QuotaError) -> Account {
        try read { db in try findAccount(db, nameOrCode) }
    }

    public func accounts(includeArchived: Bool) throws(QuotaError) -> [Account] {
        try read { db in
            try db.rows(sql: "SELECT * FROM account \(includeArchived ? "" : "WHERE archived = 0") ORDER BY name COLLATE NOCASE, id")
                .map(accountFromRow)
        }
    }

    public func grants(of nameOrCode: String) throws(QuotaError) -> [AccessGrant] {
        try read { db in
            let account = try findAccount(db, nameOrCode)
            return try db.rows(sql: "SELECT kind, name FROM account_grant WHERE account_id = ? ORDER BY kind DESC, name",
                                    arguments: [account.id]).map { row in
                let name: String = row["name"]
                return (row["kind"] as String) == "user" ? .user(name) : .group(name)
            }
        }
    }

    public func grant(_ grant: AccessGrant, on nameOrCode: String) throws(QuotaError) {
        let (kind, name) = try Self.grantParts(grant)
        try write { db in
            let account = try findAccount(db, nameOrCode)
            try db.run(sql: "INSERT INTO account_grant(account_id, kind, name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                           arguments: [account.id, kind, name])
        }
    }

    public func revoke(_ grant: AccessGrant, on nameOrCode: String) throws(QuotaError) {
        let (kind, name) = try Self.grantParts(grant)
        try write { db in
            let account = try findAccount(db, nameOrCode)
            try db.run(sql: "DELETE FROM account_grant WHERE account_id = ? AND kind = ? AND name = ?",
                           arguments: [account.id, kind, name])
        }
    }

    public func usableAccounts(for user: String) throws(QuotaError) -> [Account] {
        try Self.checkUserName(user)
        let at = now
        return try read { db in try usableAccounts(db, user: user, at: at) }
    }

    public func visibleAccounts(for user: String) throws(QuotaError) -> [Account] {
        try Self.checkUserName(user)
        return try read { db in
            let candidates = try db.rows(sql: "SELECT * FROM account WHERE archived = 0 ORDER BY name COLLATE NOCASE, id")
                .map(accountFromRow)
            var groups: UserGroups?
            return try candidates.filter { try hasAccess(db, account: $0, user: user, groups: &groups) }
        }
    }

    // MARK: - Helpers used by other operations

    /// The user's groups, looked up once per transaction and only when a restricted account needs them.
    struct UserGroups {
        var local: Set<String>
        var system: Set<String>?
    }

    /// Usable (enabled, started, not expired, not archived) and accessible accounts, by name.
    func usableAccounts(_ db: any SQLSession, user: String, at date: Date) throws -> [Account] {
        let candidates = try db.rows(sql: """
            SELECT * FROM account WHERE archived = 0 AND enabled = 1
              AND (starts_at IS NULL OR starts_at <= ?) AND (expires_at IS NULL OR expires_at > ?)
            ORDER BY name COLLATE NOCASE, id
            """, arguments: [date.unixMilliseconds, date.unixMilliseconds]).map(accountFromRow)
        var groups: UserGroups?
        return try candidates.filter { try hasAccess(db, account: $0, user: user, groups: &groups) }
    }

    /// Global Shared, or the user is listed, or in a listed local or system group.
    /// Failure policy: a failed NSS lookup means "not a member" (access is never granted by error).
    func hasAccess(_ db: any SQLSession, account: Account, user: String, groups: inout UserGroups?) throws -> Bool {
        if account.access == .globalShared { return true }
        let rows = try db.rows(sql: "SELECT kind, name FROM account_grant WHERE account_id = ?", arguments: [account.id])
        var grantedGroups = Set<String>()
        for row in rows {
            let kind: String = row["kind"]
            let name: String = row["name"]
            if kind == "user" && name == user { return true }
            if kind == "group" { grantedGroups.insert(name) }
        }
        guard !grantedGroups.isEmpty else { return false }
        if groups == nil {
            groups = UserGroups(local: Set(try db.values(String.self, sql: "SELECT group_name FROM local_group_member WHERE user_name = ?", arguments: [user])))
        }
        if !grantedGroups.isDisjoint(with: groups!.local) { return true }
        if groups!.system == nil { groups!.system = options.systemGroups.groups(of: user) }
        return !grantedGroups.isDisjoint(with: groups!.system!)
    }

    /// Why `user` cannot charge `account` now, or `nil` when they can.
    func unusableReason(_ db: any SQLSession, account: Account, user: String, at date: Date) throws -> AccountUnusableReason? {
        if let reason = account.unusableReason(at: date) { return reason }
        var groups: UserGroups?
        return try hasAccess(db, account: account, user: user, groups: &groups) ? nil : .noAccess
    }

    func findAccount(_ db: any SQLSession, _ nameOrCode: String) throws -> Account {
        let key = nameOrCode.trimmingCharacters(in: .whitespaces)
        // A name wins over a code when one account's name is another's code.
        guard let row = try db.row(sql: """
            SELECT * FROM account WHERE name = ?1 OR code = ?1 ORDER BY (name = ?1) DESC, id LIMIT 1
            """, arguments: [key]) else {
            throw QuotaError.accountNotFound(nameOrCode)
        }
        return try accountFromRow(row)
    }

    func loadAccount(_ db: any SQLSession, id: AccountID) throws -> Account {
        guard let row = try db.row(sql: "SELECT * FROM account WHERE id = ?", arguments: [id]) else {
            throw QuotaError.accountNotFound("#\(id)")
        }
        return try accountFromRow(row)
    }

    func accountFromRow(_ row: SQLRow) throws -> Account {
        let soft: Int64? = row["soft_limit"]
        let hard: Int64? = row["hard_limit"]
        let allocation: Allocation
        if let soft, let hard {
            allocation = .limited(soft: money(soft), hard: money(hard))
        } else {
            allocation = .unlimited
        }
        let startsAt: Int64? = row["starts_at"]
        let expiresAt: Int64? = row["expires_at"]
        return Account(id: row["id"], name: row["name"], code: row["code"], isEnabled: row["enabled"],
                       startsAt: startsAt.map(Date.init(unixMilliseconds:)), expiresAt: expiresAt.map(Date.init(unixMilliseconds:)),
                       isArchived: row["archived"], access: AccountAccess(rawValue: row["access"]) ?? .usersAndGroups,
                       allocation: allocation, createdAt: Date(unixMilliseconds: row["created_at"]))
    }

    private func limitUnits(_ allocation: Allocation) throws(QuotaError) -> (Int64?, Int64?) {
        switch allocation {
        case .unlimited:
            return (nil, nil)
        case .limited(let soft, let hard):
            let s = try units(soft), h = try units(hard)
            guard s >= 0, h >= 0 else { throw .invalidAccount("limits cannot be negative (soft \(soft), hard \(hard))") }
            guard s <= h else { throw .invalidAccount("the soft limit (\(soft)) is above the hard limit (\(hard))") }
            return (s, h)
        }
    }

    private static func checkDates(_ startsAt: Date?, _ expiresAt: Date?) throws(QuotaError) {
        if let startsAt, let expiresAt, startsAt >= expiresAt {
            throw .invalidAccount("the start (\(startsAt)) is not before the expiry (\(expiresAt))")
        }
    }

    private static func checkUnique(_ db: any SQLSession, name: String, code: String, except id: AccountID?) throws {
        if try db.value(Bool.self, sql: "SELECT 1 FROM account WHERE name = ? AND id IS DISTINCT FROM CAST(? AS BIGINT)", arguments: [name, id]) == true {
            throw QuotaError.accountExists(field: "name", value: name)
        }
        if try db.value(Bool.self, sql: "SELECT 1 FROM account WHERE code = ? AND id IS DISTINCT FROM CAST(? AS BIGINT)", arguments: [code, id]) == true {
            throw QuotaError.accountExists(field: "code", value: code)
        }
    }

    private static func grantParts(_ grant: AccessGrant) throws(QuotaError) -> (String, String) {
        switch grant {
        case .user(let name):
            try checkUserName(name)
            return ("user", name)
        case .group(let name):
            try checkGroupName(name)
            return ("group", name)
        }
    }

    /// An account's name or code without its surrounding blanks: not empty, no control
    /// characters (a NUL would cut it short in the database's own checks, and they are shown on
    /// the station and in mail).
    static func checkAccountText(_ text: String, _ what: String) throws(QuotaError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .invalidAccount("the \(what) is empty") }
        guard !trimmed.containsControlCharacter else {
            throw .invalidAccount("the \(what) contains a control character")
        }
        return trimmed
    }

    /// Group names (local or the system's): non-empty, no blanks or control characters.
    static func checkGroupName(_ name: String) throws(QuotaError) {
        guard !name.isEmpty, !name.contains(where: { $0.isWhitespace }), !name.containsControlCharacter
        else { throw .invalidUserName(name) }
    }

    /// User names: non-empty, at most 256 characters, no blanks or control characters.
    static func checkUserName(_ name: String) throws(QuotaError) {
        guard !name.isEmpty, name.count <= 256, !name.contains(" "), !name.containsControlCharacter
        else { throw .invalidUserName(name) }
    }
}

extension String {
    /// Whether a control character (C0, DEL, C1: a NUL, a newline, a terminal escape) is in it:
    /// names and codes are shown on the station, in the console, in tables and in mail.
    var containsControlCharacter: Bool { unicodeScalars.contains { $0.properties.generalCategory == .control } }
}
