import Foundation
import Pricing

extension SQLQuotaStore {
    public func usageReport(_ query: UsageReportQuery) throws(QuotaError) -> [UsageReportRow] {
        if query.from == nil, query.until == nil, [.user, .account, .userAndAccount].contains(query.grouping) {
            return try allTimeReport(query)
        }
        return try read { db in
            var clauses: [String] = []
            var arguments: [(any SQLValueConvertible)?] = []
            if let from = query.from { clauses.append("l.at >= ?"); arguments.append(from.unixMilliseconds) }
            if let until = query.until { clauses.append("l.at < ?"); arguments.append(until.unixMilliseconds) }
            if let user = query.user { clauses.append("l.user_name = ?"); arguments.append(user) }
            if let account = query.account { clauses.append("l.account_id = ?"); arguments.append(try findAccount(db, account).id) }
            let keys: String
            switch query.grouping {
            case .user: keys = "l.user_name"
            case .account: keys = "l.account_id"
            case .userAndAccount: keys = "l.user_name, l.account_id"
            case .queue: keys = "r.queue"
            case .application: keys = "r.application"
            }
            let byJob = query.grouping == .queue || query.grouping == .application
            // Per queue and per application only what jobs did counts (credits belong to no job).
            if byJob { clauses.append("l.job_key IS NOT NULL") }
            let sql = """
                SELECT \([.user, .userAndAccount].contains(query.grouping) ? "l.user_name" : "NULL AS user_name"),
                       \([.account, .userAndAccount].contains(query.grouping) ? "l.account_id" : "NULL AS account_id"),
                       \(query.grouping == .queue ? "r.queue" : "NULL AS queue"),
                       \(query.grouping == .application ? "r.application" : "NULL AS application"),
                       MAX(a.name) AS account_name, MAX(a.code) AS account_code,
                       COUNT(DISTINCT CASE WHEN l.kind = 'debit' THEN l.job_key END) AS jobs,
                       COALESCE(SUM(CASE WHEN l.kind = 'debit' THEN l.amount END), 0) AS charged,
                       COALESCE(SUM(CASE WHEN l.kind = 'refund' THEN l.amount END), 0) AS refunded,
                       COALESCE(SUM(CASE WHEN l.kind IN ('credit', 'adjustment') THEN l.balance_effect END), 0) AS credited,
                       COALESCE(SUM(CASE WHEN l.kind = 'top-up' THEN l.amount END), 0) AS topped_up
                FROM ledger l LEFT JOIN account a ON a.id = l.account_id\(byJob ? " LEFT JOIN reservation r ON r.job_key = l.job_key" : "")
                \(clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "))
                GROUP BY \(keys) ORDER BY \(byJob ? keys : query.grouping == .account ? "COALESCE(MAX(a.name), '')" : "l.user_name, COALESCE(MAX(a.name), '')")
                """
            return try db.rows(sql: sql, arguments: SQLArguments(arguments)).map(usageRow)
        }
    }

    /// An all-time report by user, account or both from ``UsageTotals`` (one row per user and
    /// balance): the same rows, in the same order, as the ledger query above would give.
    private func allTimeReport(_ query: UsageReportQuery) throws(QuotaError) -> [UsageReportRow] {
        try read { db in
            var clauses: [String] = []
            var arguments: [(any SQLValueConvertible)?] = []
            if let user = query.user { clauses.append("t.user_name = ?"); arguments.append(user) }
            if let account = query.account { clauses.append("t.account_key = ?"); arguments.append(try findAccount(db, account).id) }
            let byUser = [.user, .userAndAccount].contains(query.grouping), byAccount = [.account, .userAndAccount].contains(query.grouping)
            let keys = [byUser ? "t.user_name" : nil, byAccount ? "t.account_key" : nil].compactMap { $0 }.joined(separator: ", ")
            // Summed first, then joined to the account table: one lookup per group, not per row.
            let sql = """
                SELECT \(byUser ? "s.user_name" : "NULL AS user_name"),
                       \(byAccount ? "NULLIF(s.account_key, \(UsageTotals.walletKey)) AS account_id" : "NULL AS account_id"),
                       NULL AS queue, NULL AS application,
                       a.name AS account_name, a.code AS account_code, s.jobs, s.charged, s.refunded, s.credited, s.topped_up
                FROM (SELECT \(keys)\(byAccount ? "" : ", CAST(NULL AS BIGINT) AS account_key"),
                             SUM(\(query.grouping == .user ? "t.user_jobs" : "t.jobs")) AS jobs, SUM(t.charged) AS charged,
                             SUM(t.refunded) AS refunded, SUM(t.credited) AS credited, SUM(t.topped_up) AS topped_up
                      FROM usage_total t
                      \(clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "))
                      GROUP BY \(keys)) s
                LEFT JOIN account a ON a.id = s.account_key
                ORDER BY \(query.grouping == .account ? "COALESCE(a.name, '')" : "s.user_name, COALESCE(a.name, '')")
                """
            return try db.rows(sql: sql, arguments: SQLArguments(arguments)).map(usageRow)
        }
    }

    /// One line of either report query (both select the same columns).
    private func usageRow(_ row: SQLRow) -> UsageReportRow {
        let accountID: Int64? = row["account_id"]
        return UsageReportRow(user: row["user_name"],
                              account: accountID.map { AccountRef(id: $0, name: row["account_name"], code: row["account_code"]) },
                              queue: row["queue"], application: row["application"],
                              jobs: row["jobs"], charged: money(row["charged"]), refunded: money(row["refunded"]),
                              credited: money(row["credited"]), toppedUp: money(row["topped_up"]))
    }

    /// Re-derives every balance from the ledger alone and checks:
    /// cached balances = ledger sums; each row's `balance_after` = running sum; each kind's effect
    /// matches its amount; every reservation matches its job's rows (held, debited, released, refunded);
    /// no `cover` reservation left a wallet below zero; the usage totals are the ledger's; the
    /// append-only triggers are in place.
    public func verify() throws(QuotaError) -> CheckReport {
        try read { db in
            var problems: [String] = []
            struct Key: Hashable { var user: String; var account: Int64? }
            var running: [Key: Int64] = [:]
            struct JobSums { var reserve = [Int64?: Int64](); var release = [Int64?: Int64](); var debit = [Int64?: Int64](); var refund = [Int64?: Int64](); var coverNegative = false }
            var jobs: [String: JobSums] = [:]
            var rows = 0
            let policies = Dictionary(try db.rows(sql: "SELECT job_key, policy FROM reservation").map { ($0["job_key"] as String, $0["policy"] as String) },
                                      uniquingKeysWith: { a, _ in a })
            try db.forEachRow(sql: "SELECT id, kind, job_key, user_name, account_id, amount, balance_effect, balance_after FROM ledger ORDER BY id", arguments: []) { row in
                rows += 1
                let id: Int64 = row["id"], kindText: String = row["kind"], user: String = row["user_name"]
                let account: Int64? = row["account_id"], amount: Int64 = row["amount"]
                let effect: Int64 = row["balance_effect"], after: Int64 = row["balance_after"]
                let key = Key(user: user, account: account)
                let sum = running[key, default: 0] &+ effect
                running[key] = sum
                let place = account.map { "account #\($0)" } ?? "wallet"
                if sum != after {
                    problems.append("ledger row \(id) (\(kindText), \(user), \(place)): balance_after \(money(after)) but the running sum is \(money(sum))")
                }
                guard let kind = LedgerKind(rawValue: kindText) else { problems.append("ledger row \(id): unknown kind \(kindText)"); return }
                let expected: Int64? = switch kind {
                case .reserve: -amount
                case .debit: 0
                case .release, .refund, .topUp: amount
                case .credit, .adjustment: nil
                }
                if let expected, expected != effect {
                    problems.append("ledger row \(id) (\(kindText), \(user)): effect \(money(effect)) does not match amount \(money(amount))")
                }
                if [.reserve, .debit, .release, .refund, .topUp].contains(kind), amount < 0 {
                    problems.append("ledger row \(id) (\(kindText), \(user)): negative amount \(money(amount))")
                }
                guard let job: String = row["job_key"] else { return }
                var sums = jobs[job, default: JobSums()]
                switch kind {
                case .reserve:
                    sums.reserve[account, default: 0] += amount
                    if account == nil, effect < 0, after < 0, policies[job] == "cover" { sums.coverNegative = true }
                case .release: sums.release[account, default: 0] += amount
                case .debit: sums.debit[account, default: 0] += amount
                case .refund: sums.refund[account, default: 0] += amount
                default: break
                }
                jobs[job] = sums
            }

            // Cached balances against the derivation.
            let wallets = try db.rows(sql: "SELECT name, wallet_balance FROM \"user\"")
            for row in wallets {
                let user: String = row["name"], cached: Int64 = row["wallet_balance"]
                let derived = running[Key(user: user, account: nil)] ?? 0
                if cached != derived { problems.append("user \(user): wallet balance \(money(cached)) but the ledger says \(money(derived))") }
            }
            let knownUsers = Set(wallets.map { $0["name"] as String })
            let allocations = try db.rows(sql: "SELECT account_id, user_name, balance FROM allocation")
            var cachedAllocations = Set<Key>()
            for row in allocations {
                let key = Key(user: row["user_name"], account: row["account_id"])
                cachedAllocations.insert(key)
                let cached: Int64 = row["balance"]
                let derived = running[key] ?? 0
                if cached != derived {
                    problems.append("user \(key.user), account #\(key.account!): usage \(money(-cached)) but the ledger says \(money(-derived))")
                }
            }
            for (key, sum) in running {
                if key.account == nil, !knownUsers.contains(key.user) { problems.append("ledger has wallet rows for unknown user \(key.user)") }
                if key.account != nil, !cachedAllocations.contains(key), sum != 0 {
                    problems.append("user \(key.user), account #\(key.account!): ledger usage \(money(-sum)) has no allocation row")
                }
            }

            // Reservations against their jobs' rows.
            let reservations = try db.rows(sql: "SELECT * FROM reservation")
            for row in reservations {
                let job: String = row["job_key"], state: String = row["state"]
                let account: Int64? = row["account_id"]
                let accountPart: Int64 = row["account_part"], walletPart: Int64 = row["wallet_part"]
                let refundedAccount: Int64 = row["refunded_account"], refundedWallet: Int64 = row["refunded_wallet"]
                var parts: [(source: Int64?, part: Int64, refunded: Int64)] = account == nil
                    ? [(nil, walletPart + accountPart, refundedWallet + refundedAccount)]
                    : [(nil, walletPart, refundedWallet)]
                if let account { parts.append((account, accountPart, refundedAccount)) }
                let sums = jobs.removeValue(forKey: job) ?? JobSums()
                if sums.coverNegative { problems.append("job \(job): a cover reservation left the wallet below zero") }
                for (source, part, refundedHere) in parts {
                    let outstanding = sums.reserve[source, default: 0] - sums.release[source, default: 0] - sums.debit[source, default: 0]
                    let name = source.map { "account #\($0)" } ?? "wallet"
                    switch state {
                    case "reserved":
                        if outstanding != part { problems.append("job \(job) (\(name)): reserved \(money(part)) but the ledger holds \(money(outstanding))") }
                    case "settled":
                        if outstanding != 0 { problems.append("job \(job) (\(name)): settled but the ledger still holds \(money(outstanding))") }
                        if sums.debit[source, default: 0] != part { problems.append("job \(job) (\(name)): settled \(money(part)) but debited \(money(sums.debit[source, default: 0]))") }
                    default:
                        if outstanding != 0 { problems.append("job \(job) (\(name)): released but the ledger still holds \(money(outstanding))") }
                    }
                    if sums.refund[source, default: 0] != refundedHere {
                        problems.append("job \(job) (\(name)): refunded \(money(refundedHere)) but the ledger refunds \(money(sums.refund[source, default: 0]))")
                    }
                }
            }
            for job in jobs.keys.sorted() { problems.append("job \(job): ledger rows without a reservation") }
            problems += try UsageTotals.problems(db)

            let guards = try engine.ledgerGuards(db)
            for trigger in guards.required where !guards.present.contains(trigger) {
                problems.append("the append-only trigger \(trigger) is missing: the ledger can be rewritten")
            }
            return CheckReport(ledgerRows: rows, wallets: wallets.count, allocations: allocations.count,
                               reservations: reservations.count, problems: problems)
        }
    }
}
