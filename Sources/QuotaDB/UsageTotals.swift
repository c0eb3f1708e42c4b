import Foundation

/// All-time usage per user and balance (an account, or the personal wallet), kept next to the
/// ledger so an all-time report reads one row per user and account instead of every ledger row
/// (a report by account over 1 000 000 ledger rows took 820 ms; `bench/admin.py`).
///
/// `usage_total` is derived data: ``SQLQuotaStore/post(_:kind:user:accountID:amount:effect:jobKey:reason:actor:reference:at:)``,
/// the only writer of ledger rows, adds each row to it in the same transaction, the schema
/// migration that created it filled it from the ledger, and `tollgate check` re-derives it from the
/// ledger (``derivation``) and reports every difference. Reports over a period, a queue or an
/// application still read the ledger.
package enum UsageTotals {
    /// The personal wallet's `account_key` (account ids start at 1).
    static let walletKey: Int64 = 0

    /// The table on SQLite (PostgreSQL's twin is in `PostgresSchema`, version 9).
    static let sqliteTable = """
        CREATE TABLE usage_total (
            user_name   TEXT NOT NULL,
            account_key INTEGER NOT NULL,          -- account id; 0: the personal wallet
            entries     INTEGER NOT NULL,          -- ledger rows of this user on this balance
            jobs        INTEGER NOT NULL,          -- jobs debited on this balance
            user_jobs   INTEGER NOT NULL,          -- jobs whose first debit is here: each job once per user
            charged     INTEGER NOT NULL,
            refunded    INTEGER NOT NULL,
            credited    INTEGER NOT NULL,          -- credits and adjustments, by their effect
            topped_up   INTEGER NOT NULL,
            PRIMARY KEY (user_name, account_key)
        ) WITHOUT ROWID;
        -- Covering: a report by account reads this index alone.
        CREATE INDEX usage_total_account ON usage_total(account_key, jobs, user_jobs, charged, refunded, credited, topped_up);
        """

    /// The totals as the ledger alone says them, one row per (user, account_key), in the table's
    /// column order: what the migration fills the table with and what `tollgate check` compares.
    package static let derivation = """
        SELECT l.user_name, COALESCE(l.account_id, 0) AS account_key, COUNT(*) AS entries,
               COUNT(DISTINCT CASE WHEN l.kind = 'debit' THEN l.job_key END) AS jobs,
               COALESCE(SUM(CASE WHEN l.kind = 'debit' AND l.job_key IS NOT NULL AND l.id =
                   (SELECT MIN(d.id) FROM ledger d WHERE d.job_key = l.job_key AND d.kind = 'debit') THEN 1 END), 0) AS user_jobs,
               COALESCE(SUM(CASE WHEN l.kind = 'debit' THEN l.amount END), 0) AS charged,
               COALESCE(SUM(CASE WHEN l.kind = 'refund' THEN l.amount END), 0) AS refunded,
               COALESCE(SUM(CASE WHEN l.kind IN ('credit', 'adjustment') THEN l.balance_effect END), 0) AS credited,
               COALESCE(SUM(CASE WHEN l.kind = 'top-up' THEN l.amount END), 0) AS topped_up
        FROM ledger l GROUP BY l.user_name, COALESCE(l.account_id, 0)
        """

    package static let columns = "user_name, account_key, entries, jobs, user_jobs, charged, refunded, credited, topped_up"

    /// Fills an empty `usage_total` from the ledger (the migration that creates it).
    package static let backfill = "INSERT INTO usage_total(\(columns)) " + derivation

    /// Adds one ledger row (about to be appended) to its user's totals. A debit counts its job
    /// once per balance, and once per user on the job's first debit: `debited`, the balances
    /// (``walletKey`` for the wallet) the job was debited on before, when the caller knows them;
    /// nil reads them from the ledger.
    static func add(_ db: any SQLSession, kind: LedgerKind, user: String, accountID: AccountID?, amount: Int64, effect: Int64,
                    jobKey: String?, debited known: [Int64]? = nil) throws {
        let key = accountID ?? walletKey
        var jobs: Int64 = 0, userJobs: Int64 = 0
        if kind == .debit, let jobKey {
            let debited = try known ?? db.rows(sql: "SELECT COALESCE(account_id, 0) AS account_key FROM ledger WHERE job_key = ? AND kind = 'debit'",
                                               arguments: [jobKey]).map { $0["account_key"] as Int64 }
            jobs = debited.contains(key) ? 0 : 1
            userJobs = debited.isEmpty ? 1 : 0
        }
        let charged = kind == .debit ? amount : 0, refunded = kind == .refund ? amount : 0
        let credited = kind == .credit || kind == .adjustment ? effect : 0, toppedUp = kind == .topUp ? amount : 0
        try db.queue(sql: """
            INSERT INTO usage_total(\(columns)) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(user_name, account_key) DO UPDATE SET
                entries = usage_total.entries + 1, jobs = usage_total.jobs + excluded.jobs, user_jobs = usage_total.user_jobs + excluded.user_jobs,
                charged = usage_total.charged + excluded.charged, refunded = usage_total.refunded + excluded.refunded,
                credited = usage_total.credited + excluded.credited, topped_up = usage_total.topped_up + excluded.topped_up
            """, arguments: [user, key, jobs, userJobs, charged, refunded, credited, toppedUp])
    }

    /// What differs between the stored totals and the ledger's, in words for `tollgate check`.
    static func problems(_ db: any SQLSession) throws -> [String] {
        struct Key: Hashable { var user: String; var account: Int64 }
        let fields = ["entries", "jobs", "user_jobs", "charged", "refunded", "credited", "topped_up"]
        func load(_ sql: String) throws -> [Key: [Int64]] {
            var totals: [Key: [Int64]] = [:]
            try db.forEachRow(sql: sql, arguments: []) { row in
                totals[Key(user: row["user_name"], account: row["account_key"])] = fields.map { row[$0] as Int64 }
            }
            return totals
        }
        let stored = try load("SELECT \(columns) FROM usage_total"), derived = try load(derivation)
        var problems: [String] = []
        for key in Set(stored.keys).union(derived.keys).sorted(by: { ($0.user, $0.account) < ($1.user, $1.account) }) {
            let place = key.account == walletKey ? "wallet" : "account #\(key.account)"
            let zero = Array(repeating: Int64(0), count: fields.count)
            let (have, want) = (stored[key] ?? zero, derived[key] ?? zero)
            guard have != want else { continue }
            let differing = fields.indices.filter { have[$0] != want[$0] }
                .map { "\(fields[$0]) \(have[$0]) but the ledger says \(want[$0])" }.joined(separator: ", ")
            problems.append("usage totals of \(key.user) (\(place)): \(differing)")
        }
        return problems
    }
}
