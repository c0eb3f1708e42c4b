import Foundation
import Pricing

extension SQLQuotaStore {
    public func addUser(_ name: String) throws(QuotaError) {
        try Self.checkUserName(name)
        let at = now
        try write { db in try ensureUser(db, name, at: at) }
    }

    public func users() throws(QuotaError) -> [String] {
        try read { db in try db.values(String.self, sql: "SELECT name FROM \"user\" ORDER BY name") }
    }

    public func activeAccount(for user: String) throws(QuotaError) -> ActiveAccount {
        try Self.checkUserName(user)
        let at = now
        return try read { db in try activeAccount(db, user: user, at: at) }
    }

    func activeAccount(_ db: any SQLSession, user: String, at date: Date) throws -> ActiveAccount {
        let row = try db.row(sql: "SELECT active_account_id, active_set_by, active_set_at FROM \"user\" WHERE name = ?", arguments: [user])
        let setBy: String? = row?["active_set_by"]
        guard let setBy, let setter = ActiveAccountSetter(rawValue: setBy) else {
            return ActiveAccount(account: try usableAccounts(db, user: user, at: date).first, source: .initial, unusable: nil)
        }
        let source = ActiveAccount.Source.chosen(by: setter, at: Date(unixMilliseconds: row?["active_set_at"] ?? 0))
        guard let id: AccountID = row?["active_account_id"] else {
            return ActiveAccount(account: nil, source: source, unusable: nil)
        }
        let account = try loadAccount(db, id: id)
        return ActiveAccount(account: account, source: source, unusable: try unusableReason(db, account: account, user: user, at: date))
    }

    public func setActiveAccount(_ nameOrCode: String?, for user: String, by actor: ActiveAccountSetter) throws(QuotaError) -> ActiveAccount {
        try Self.checkUserName(user)
        let at = now
        return try write { db in
            try ensureUser(db, user, at: at)
            var id: AccountID?
            if let nameOrCode {
                let account = try findAccount(db, nameOrCode)
                if let reason = try unusableReason(db, account: account, user: user, at: at) {
                    throw QuotaError.accountNotUsable(account: account.name, user: user, reason: reason)
                }
                id = account.id
            }
            try db.run(sql: "UPDATE \"user\" SET active_account_id = ?, active_set_by = ?, active_set_at = ? WHERE name = ?",
                           arguments: [id, actor.rawValue, at.unixMilliseconds, user])
            return try activeAccount(db, user: user, at: at)
        }
    }

    public func balances(for user: String) throws(QuotaError) -> UserBalances {
        try Self.checkUserName(user)
        let at = now
        return try read { db in
            let active = try activeAccount(db, user: user, at: at)
            var groups: UserGroups?
            var accounts: [AccountBalance] = []
            let all = try db.rows(sql: "SELECT * FROM account ORDER BY name COLLATE NOCASE, id").map(accountFromRow)
            let usedIDs = Set(try db.values(AccountID.self, sql: "SELECT account_id FROM allocation WHERE user_name = ?", arguments: [user]))
            for account in all {
                let shown = try usedIDs.contains(account.id) || (!account.isArchived && hasAccess(db, account: account, user: user, groups: &groups))
                guard shown else { continue }
                accounts.append(try accountBalance(db, account: account, user: user))
            }
            let reserved = try db.value(Int64.self, sql: """
                SELECT COALESCE(SUM(account_part + wallet_part), 0) FROM reservation WHERE user_name = ? AND state = 'reserved'
                """, arguments: [user]) ?? 0
            return UserBalances(user: user, active: active, accounts: accounts, wallet: money(try walletBalance(db, user)),
                                reserved: money(reserved))
        }
    }

    // MARK: - Local groups

    public func addGroup(_ name: String) throws(QuotaError) {
        try Self.checkGroupName(name)
        let at = now
        try write { db in
            try db.run(sql: "INSERT INTO local_group(name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING", arguments: [name, at.unixMilliseconds])
        }
    }

    public func removeGroup(_ name: String) throws(QuotaError) {
        try write { db in
            if try db.run(sql: "DELETE FROM local_group WHERE name = ?", arguments: [name]) == 0 { throw QuotaError.groupNotFound(name) }
        }
    }

    public func addMember(_ user: String, toGroup group: String) throws(QuotaError) {
        try Self.checkUserName(user)
        try write { db in
            guard try db.value(Bool.self, sql: "SELECT 1 FROM local_group WHERE name = ?", arguments: [group]) == true else {
                throw QuotaError.groupNotFound(group)
            }
            try db.run(sql: "INSERT INTO local_group_member(group_name, user_name) VALUES (?, ?) ON CONFLICT DO NOTHING", arguments: [group, user])
        }
    }

    public func removeMember(_ user: String, fromGroup group: String) throws(QuotaError) {
        try write { db in
            guard try db.value(Bool.self, sql: "SELECT 1 FROM local_group WHERE name = ?", arguments: [group]) == true else {
                throw QuotaError.groupNotFound(group)
            }
            try db.run(sql: "DELETE FROM local_group_member WHERE group_name = ? AND user_name = ?", arguments: [group, user])
        }
    }

    public func groups() throws(QuotaError) -> [String: [String]] {
        try read { db in
            var result: [String: [String]] = [:]
            for name in try db.values(String.self, sql: "SELECT name FROM local_group") { result[name] = [] }
            for row in try db.rows(sql: "SELECT group_name, user_name FROM local_group_member ORDER BY user_name") {
                result[row["group_name"], default: []].append(row["user_name"])
            }
            return result
        }
    }
}
