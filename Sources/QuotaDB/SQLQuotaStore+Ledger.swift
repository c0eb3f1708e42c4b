import Foundation
import Pricing

extension SQLQuotaStore {
    /// Moves one balance (the wallet when `accountID` is nil, else the user's allocation) by
    /// `effect` and appends the ledger row that explains it (and adds it to ``UsageTotals``). The
    /// only writer of balances and of ledger rows. It reads the balance before, unless the caller
    /// read it in this transaction (`before`); the writes are queued (``SQLSession/queue(sql:arguments:)``).
    func post(_ db: any SQLSession, kind: LedgerKind, user: String, accountID: AccountID?, amount: Int64, effect: Int64,
              jobKey: String?, reason: String, actor: String, reference: String? = nil, at date: Date, before: Int64? = nil,
              debited: [Int64]? = nil) throws {
        let after = try moveBalance(db, kind: kind, user: user, accountID: accountID, amount: amount, effect: effect, jobKey: jobKey,
                                    before: before, debited: debited)
        try db.queue(sql: Self.insertLedgerRow, arguments: [date.unixMilliseconds, kind.rawValue, jobKey, user, accountID, amount, effect,
                                                            after, reason, actor, reference])
    }

    /// ``post(_:kind:user:accountID:amount:effect:jobKey:reason:actor:reference:at:)``, then the
    /// new ledger row's id (a top-up, credit or adjustment answers with its row).
    func postEntry(_ db: any SQLSession, kind: LedgerKind, user: String, accountID: AccountID?, amount: Int64, effect: Int64,
                   jobKey: String?, reason: String, actor: String, reference: String? = nil, at date: Date) throws -> Int64 {
        let after = try moveBalance(db, kind: kind, user: user, accountID: accountID, amount: amount, effect: effect, jobKey: jobKey)
        return try db.value(Int64.self, sql: Self.insertLedgerRow + " RETURNING id",
                            arguments: [date.unixMilliseconds, kind.rawValue, jobKey, user, accountID, amount, effect, after, reason,
                                        actor, reference])!
    }

    private static let insertLedgerRow = """
        INSERT INTO ledger(at, kind, job_key, user_name, account_id, amount, balance_effect, balance_after, reason, actor, reference)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The balance move of a ledger row (and its usage totals): the balance after it.
    private func moveBalance(_ db: any SQLSession, kind: LedgerKind, user: String, accountID: AccountID?, amount: Int64,
                             effect: Int64, jobKey: String?, before known: Int64? = nil, debited: [Int64]? = nil) throws -> Int64 {
        let after: Int64
        if let accountID {
            try db.queue(sql: "INSERT INTO allocation(account_id, user_name, balance) VALUES (?, ?, 0) ON CONFLICT DO NOTHING",
                         arguments: [accountID, user])
            let before = try known ?? db.value(Int64.self, sql: "SELECT balance FROM allocation WHERE account_id = ? AND user_name = ?",
                                                    arguments: [accountID, user]) ?? 0
            after = try checkedSum(before, effect)
            if effect != 0 {
                try db.queue(sql: "UPDATE allocation SET balance = ? WHERE account_id = ? AND user_name = ?",
                             arguments: [after, accountID, user])
            }
        } else {
            let before = try known ?? db.value(Int64.self, sql: "SELECT wallet_balance FROM \"user\" WHERE name = ?", arguments: [user]) ?? 0
            after = try checkedSum(before, effect)
            if effect != 0 {
                try db.queue(sql: "UPDATE \"user\" SET wallet_balance = ? WHERE name = ?", arguments: [after, user])
            }
        }
        try UsageTotals.add(db, kind: kind, user: user, accountID: accountID, amount: amount, effect: effect, jobKey: jobKey,
                            debited: debited)
        return after
    }

    private func checkedSum(_ a: Int64, _ b: Int64) throws -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw QuotaError.amountOverflow("\(money(a)) + \(money(b))") }
        return sum
    }

    /// Records the user if new (a wallet at zero).
    func ensureUser(_ db: any SQLSession, _ user: String, at date: Date) throws {
        try db.queue(sql: "INSERT INTO \"user\"(name, wallet_balance, created_at) VALUES (?, 0, ?) ON CONFLICT DO NOTHING",
                     arguments: [user, date.unixMilliseconds])
    }

    func walletBalance(_ db: any SQLSession, _ user: String) throws -> Int64 {
        try db.value(Int64.self, sql: "SELECT wallet_balance FROM \"user\" WHERE name = ?", arguments: [user]) ?? 0
    }

    /// The user's allocation balance on an account: minus their usage.
    func allocationBalance(_ db: any SQLSession, account: AccountID, user: String) throws -> Int64 {
        try db.value(Int64.self, sql: "SELECT balance FROM allocation WHERE account_id = ? AND user_name = ?",
                           arguments: [account, user]) ?? 0
    }

    func accountBalance(_ db: any SQLSession, account: Account, user: String) throws -> AccountBalance {
        accountBalance(account, used: -(try allocationBalance(db, account: account.id, user: user)))
    }

    /// The account's balance for a user who has used `used` of it.
    func accountBalance(_ account: Account, used: Int64) -> AccountBalance {
        switch account.allocation {
        case .unlimited:
            return AccountBalance(account: account.ref, used: money(used), softLimit: nil, hardLimit: nil)
        case .limited(let soft, let hard):
            return AccountBalance(account: account.ref, used: money(used), softLimit: soft, hardLimit: hard)
        }
    }

    public func ledger(_ query: LedgerQuery) throws(QuotaError) -> [LedgerEntry] {
        try read { db in
            let (whereClause, arguments) = try ledgerFilter(db, query)
            var sql = """
                SELECT l.*, a.name AS account_name, a.code AS account_code FROM ledger l LEFT JOIN account a ON a.id = l.account_id
                """ + whereClause
            sql += query.newestFirst ? " ORDER BY l.id DESC" : " ORDER BY l.id"
            if let limit = query.limit { sql += " LIMIT \(max(0, limit))" }
            return try db.rows(sql: sql, arguments: SQLArguments(arguments)).map(ledgerEntry)
        }
    }

    public func ledgerCount(_ query: LedgerQuery) throws(QuotaError) -> Int {
        try read { db in
            let (whereClause, arguments) = try ledgerFilter(db, query)
            return try db.value(Int.self, sql: "SELECT count(*) FROM ledger l" + whereClause, arguments: SQLArguments(arguments)) ?? 0
        }
    }

    /// The WHERE clause of a ledger query (empty for none) and its arguments; limit and order aside.
    private func ledgerFilter(_ db: any SQLSession, _ query: LedgerQuery) throws -> (String, [(any SQLValueConvertible)?]) {
        var clauses: [String] = []
        var arguments: [(any SQLValueConvertible)?] = []
        if let user = query.user { clauses.append("l.user_name = ?"); arguments.append(user) }
        if let account = query.account {
            let id = try findAccount(db, account).id
            clauses.append("l.account_id = ?"); arguments.append(id)
        }
        if query.walletOnly { clauses.append("l.account_id IS NULL") }
        if let job = query.jobKey { clauses.append("l.job_key = ?"); arguments.append(job) }
        if !query.kinds.isEmpty {
            clauses.append("l.kind IN (\(query.kinds.map { _ in "?" }.joined(separator: ",")))")
            arguments.append(contentsOf: query.kinds.sorted { $0.rawValue < $1.rawValue }.map(\.rawValue))
        }
        if let from = query.from { clauses.append("l.at >= ?"); arguments.append(from.unixMilliseconds) }
        if let until = query.until { clauses.append("l.at < ?"); arguments.append(until.unixMilliseconds) }
        if let after = query.afterID { clauses.append("l.id > ?"); arguments.append(after) }
        if let before = query.beforeID { clauses.append("l.id < ?"); arguments.append(before) }
        return (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "), arguments)
    }

    func ledgerEntry(_ row: SQLRow) -> LedgerEntry {
        let accountID: Int64? = row["account_id"]
        let account = accountID.map { AccountRef(id: $0, name: row["account_name"] ?? "#\($0)", code: row["account_code"] ?? "") }
        return LedgerEntry(id: row["id"], at: Date(unixMilliseconds: row["at"]), kind: LedgerKind(rawValue: row["kind"]) ?? .adjustment,
                           jobKey: row["job_key"], user: row["user_name"], account: account, amount: money(row["amount"]),
                           balanceEffect: money(row["balance_effect"]), balanceAfter: money(row["balance_after"]),
                           reason: row["reason"], actor: row["actor"], reference: row["reference"])
    }

    func ledgerEntry(_ db: any SQLSession, id: Int64) throws -> LedgerEntry {
        let row = try db.row(sql: """
            SELECT l.*, a.name AS account_name, a.code AS account_code FROM ledger l LEFT JOIN account a ON a.id = l.account_id WHERE l.id = ?
            """, arguments: [id])!
        return ledgerEntry(row)
    }
}

extension Account {
    /// The short reference decisions and ledger rows carry.
    public var ref: AccountRef { AccountRef(id: id, name: name, code: code) }
}
