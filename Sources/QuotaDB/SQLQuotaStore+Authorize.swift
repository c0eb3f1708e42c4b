import Foundation
import Pricing

extension SQLQuotaStore {
    public func authorize(_ request: AuthorizationRequest) throws(QuotaError) -> AuthorizationDecision {
        try authorize(request, dryRun: false)
    }

    /// What ``authorize(_:)`` would decide now, without reserving anything: the same transaction,
    /// rolled back. A release station uses it to tell the user before it releases a job; the
    /// backend's own `authorize` still decides when the job runs.
    public func preview(_ request: AuthorizationRequest) throws(QuotaError) -> AuthorizationDecision {
        try authorize(request, dryRun: true)
    }

    private func authorize(_ request: AuthorizationRequest, dryRun: Bool) throws(QuotaError) -> AuthorizationDecision {
        try Self.checkUserName(request.user)
        guard !request.jobKey.isEmpty else { throw .invalidAmount("the job key is empty") }
        let price = try units(request.amount)
        guard price >= 0 else { throw .invalidAmount("a job's price cannot be negative (\(request.amount))") }
        let at = now
        return try write(rollback: dryRun) { db in
            // The job's reservation, if any, and the user's row (wallet, active account), in one question.
            let asked = try db.row(sql: """
                SELECT u.name AS holder, u.wallet_balance AS holder_wallet, u.active_account_id AS holder_active,
                       u.active_set_by AS holder_set_by, r.*, a.name AS account_name, a.code AS account_code
                FROM (SELECT ? AS asked_key, ? AS asked_user) k
                LEFT JOIN "user" u ON u.name = k.asked_user
                LEFT JOIN reservation r ON r.job_key = k.asked_key
                LEFT JOIN account a ON a.id = r.account_id
                """, arguments: [request.jobKey, request.user])!
            // Idempotency: a job key already reserved or settled is never charged again.
            if (asked["job_key"] as String?) != nil, case let existing = reservation(from: asked), existing.state != .released {
                let balances = try chainBalances(db, user: existing.user, account: existing.account?.id)
                return .approved(Approval(reservation: existing, isRepeat: true, warnings: [], balances: balances))
            }
            if (asked["holder"] as String?) == nil { try ensureUser(db, request.user, at: at) }
            let wallet: Int64 = asked["holder_wallet"] ?? 0

            let account: Account?
            switch try chargeAccount(db, user: request.user, explicit: request.account,
                                     active: (asked["holder_active"], asked["holder_set_by"]), at: at) {
            case .charge(let found): account = found
            case .refuse(let reason):
                return .refused(Refusal(jobKey: request.jobKey, user: request.user, price: request.amount, policy: request.policy,
                                        reason: reason, shortfall: nil,
                                        balances: try chainBalances(db, user: request.user, account: nil)))
            }

            // What the account can still pay: unlimited, or the hard limit minus usage (never below zero).
            var accountAvailable: Int64? = 0
            var used: Int64 = 0
            if let account {
                used = -(try allocationBalance(db, account: account.id, user: request.user))
                switch account.allocation {
                case .unlimited: accountAvailable = nil
                case .limited(_, let hard): accountAvailable = max(0, hard.minorUnits - used)
                }
            }
            let accountPart = accountAvailable.map { min(price, $0) } ?? price
            let walletPart = price - accountPart

            // The policy decides whether the wallet may pay what it does not have.
            let refusal: (RefusalReason, Int64)?
            switch request.policy {
            case .cover:
                let shortfall = walletPart - max(0, wallet)
                refusal = shortfall > 0 ? (.insufficientFunds, shortfall) : nil
            case .positive:
                // Watchdoc: allowed while the chain's balance is above zero; the wallet may go below zero.
                // An unlimited account always has a positive balance. The shortfall is the smallest
                // top-up that makes the balance positive again.
                if walletPart == 0 {
                    refusal = nil
                } else {
                    let chain = (accountAvailable ?? 0) + wallet
                    refusal = chain > 0 ? nil : (.balanceNotPositive, 1 - chain)
                }
            case .track:
                refusal = nil
            }
            if let (reason, shortfall) = refusal {
                return .refused(Refusal(jobKey: request.jobKey, user: request.user, price: request.amount, policy: request.policy,
                                        reason: reason, shortfall: money(shortfall),
                                        balances: try chainBalances(db, user: request.user, account: account?.id)))
            }

            try db.queue(sql: """
                INSERT INTO reservation(job_key, user_name, account_id, account_part, wallet_part, policy, state,
                                                   refunded_account, refunded_wallet, created_at, updated_at, queue, application)
                VALUES (?, ?, ?, ?, ?, ?, 'reserved', 0, 0, ?, ?, ?, ?)
                ON CONFLICT(job_key) DO UPDATE SET user_name = excluded.user_name, account_id = excluded.account_id, account_part = excluded.account_part, wallet_part = excluded.wallet_part, policy = excluded.policy, state = excluded.state, refunded_account = excluded.refunded_account, refunded_wallet = excluded.refunded_wallet, created_at = excluded.created_at, updated_at = excluded.updated_at, queue = excluded.queue, application = excluded.application
                """, arguments: [request.jobKey, request.user, account?.id, accountPart, walletPart, request.policy.rawValue,
                                 at.unixMilliseconds, at.unixMilliseconds, request.queue, request.application])
            let reason = "job \(request.jobKey) (\(request.policy.rawValue))"
            for (source, part) in Self.sources(account: account?.id, accountPart: accountPart, walletPart: walletPart) {
                try post(db, kind: .reserve, user: request.user, accountID: source, amount: part, effect: -part,
                         jobKey: request.jobKey, reason: reason, actor: request.actor, at: at, before: source == nil ? wallet : -used)
            }
            if let account {
                // Most recently used account becomes the active one.
                try db.queue(sql: """
                    UPDATE "user" SET active_account_id = ?, active_set_by = 'job', active_set_at = ?
                    WHERE name = ? AND (active_account_id IS DISTINCT FROM CAST(? AS BIGINT) OR active_set_by IS NULL)
                    """, arguments: [account.id, at.unixMilliseconds, request.user, account.id])
            }

            var warnings: [QuotaWarning] = []
            if let account, case .limited(let soft, let hard) = account.allocation, used + accountPart > soft.minorUnits {
                warnings.append(.softLimitExceeded(account: account.name, used: money(used + accountPart), softLimit: soft, hardLimit: hard))
            }
            if wallet - walletPart < 0 {
                warnings.append(.walletNegative(balance: money(wallet - walletPart)))
            }
            // What was just written, as it reads back (instants to the millisecond), without asking again.
            let stored = Date(unixMilliseconds: at.unixMilliseconds)
            let reservation = Reservation(jobKey: request.jobKey, user: request.user, account: account?.ref,
                                          accountPart: money(accountPart), walletPart: money(walletPart), policy: request.policy,
                                          state: .reserved, refunded: money(0), createdAt: stored, updatedAt: stored)
            let balances = ChainBalances(account: account.map { accountBalance($0, used: used + accountPart) },
                                         wallet: money(wallet - walletPart))
            return .approved(Approval(reservation: reservation, isRepeat: false, warnings: warnings, balances: balances))
        }
    }

    /// The ledger rows a reservation is made of: one per paying source; a free job still gets one row.
    static func sources(account: AccountID?, accountPart: Int64, walletPart: Int64) -> [(AccountID?, Int64)] {
        var result: [(AccountID?, Int64)] = []
        if let account, accountPart > 0 { result.append((account, accountPart)) }
        if walletPart > 0 { result.append((nil, walletPart)) }
        if result.isEmpty { result.append((account, 0)) }
        return result
    }

    /// The outcome of choosing the account for a job.
    enum ChargeAccountChoice {
        /// Charge this account first (`nil`: the personal wallet only).
        case charge(Account?)
        case refuse(RefusalReason)
    }

    /// The account a job is charged to: the job's own choice, else the active account, else the
    /// first usable account alphabetically, else none (wallet only).
    ///
    /// Failure policy (strict): a chosen or active account that cannot be used refuses the job with
    /// the reason and the accounts the user could choose instead; another budget is never charged silently.
    /// `active`: the user's active account and who set it (their row, read by the caller).
    func chargeAccount(_ db: any SQLSession, user: String, explicit: String?, active: (id: AccountID?, setBy: String?),
                       at date: Date) throws -> ChargeAccountChoice {
        if let explicit {
            let account: Account
            do { account = try findAccount(db, explicit) } catch QuotaError.accountNotFound { return .refuse(RefusalReason.accountNotFound(explicit)) }
            if let reason = try unusableReason(db, account: account, user: user, at: date) {
                // An archived or inaccessible account is hidden from users: they learn only that it is not theirs to use.
                return .refuse(RefusalReason.accountNotUsable(account: account.name, reason: reason, isActiveAccount: false,
                                                  alternatives: try usableAccounts(db, user: user, at: date).map(\.name)))
            }
            return .charge(account)
        }
        guard let activeID = active.id else {
            // Never chosen: the first usable account alphabetically. Explicitly cleared: wallet only.
            return .charge(active.setBy == nil ? try usableAccounts(db, user: user, at: date).first : nil)
        }
        let account = try loadAccount(db, id: activeID)
        if let reason = try unusableReason(db, account: account, user: user, at: date) {
            return .refuse(RefusalReason.accountNotUsable(account: account.name, reason: reason, isActiveAccount: true,
                                              alternatives: try usableAccounts(db, user: user, at: date).map(\.name)))
        }
        return .charge(account)
    }

    func chainBalances(_ db: any SQLSession, user: String, account: AccountID?) throws -> ChainBalances {
        var accountBalance: AccountBalance?
        if let account {
            accountBalance = try self.accountBalance(db, account: loadAccount(db, id: account), user: user)
        }
        return ChainBalances(account: accountBalance, wallet: money(try walletBalance(db, user)))
    }

    func loadReservation(_ db: any SQLSession, jobKey: String) throws -> Reservation? {
        try db.row(sql: """
            SELECT r.*, a.name AS account_name, a.code AS account_code FROM reservation r
            LEFT JOIN account a ON a.id = r.account_id WHERE r.job_key = ?
            """, arguments: [jobKey]).map(reservation(from:))
    }

    /// The reservation with what settling or releasing it moves (its user's wallet, their
    /// allocation on its account) and how many debit rows the job has already, in one question.
    func loadReservationAndBalances(_ db: any SQLSession, jobKey: String)
        throws -> (reservation: Reservation, wallet: Int64, allocation: Int64, debits: Int)? {
        guard let row = try db.row(sql: """
            SELECT r.*, a.name AS account_name, a.code AS account_code,
                   COALESCE(u.wallet_balance, 0) AS holder_wallet, COALESCE(al.balance, 0) AS holder_allocation,
                   (SELECT count(*) FROM ledger l WHERE l.job_key = r.job_key AND l.kind = 'debit') AS debits
            FROM reservation r LEFT JOIN account a ON a.id = r.account_id
            LEFT JOIN "user" u ON u.name = r.user_name
            LEFT JOIN allocation al ON al.account_id = r.account_id AND al.user_name = r.user_name
            WHERE r.job_key = ?
            """, arguments: [jobKey]) else { return nil }
        return (reservation(from: row), row["holder_wallet"], row["holder_allocation"], row["debits"])
    }

    private func reservation(from row: SQLRow) -> Reservation {
        let accountID: Int64? = row["account_id"]
        let refunded: Int64 = (row["refunded_account"] as Int64) + (row["refunded_wallet"] as Int64)
        return Reservation(jobKey: row["job_key"], user: row["user_name"],
                           account: accountID.map { AccountRef(id: $0, name: row["account_name"], code: row["account_code"]) },
                           accountPart: money(row["account_part"]), walletPart: money(row["wallet_part"]),
                           policy: ChargePolicy(rawValue: row["policy"]) ?? .cover,
                           state: ReservationState(rawValue: row["state"]) ?? .reserved,
                           refunded: money(refunded), createdAt: Date(unixMilliseconds: row["created_at"]),
                           updatedAt: Date(unixMilliseconds: row["updated_at"]))
    }

    public func reservation(jobKey: String) throws(QuotaError) -> Reservation? {
        try read { db in try loadReservation(db, jobKey: jobKey) }
    }

    public func recordDelivery(jobKey: String, amount: Money, evidence: String) throws(QuotaError) {
        let target = try units(amount)
        let at = now
        try write { db in
            guard let reservation = try loadReservation(db, jobKey: jobKey), reservation.state == .reserved else { return }
            let capped = min(max(0, target), reservation.total.minorUnits)
            try db.run(sql: """
                INSERT INTO delivery(job_key, amount, evidence, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(job_key) DO UPDATE SET amount = excluded.amount, evidence = excluded.evidence,
                    updated_at = excluded.updated_at WHERE excluded.amount > delivery.amount
                """, arguments: [jobKey, capped, evidence, at.unixMilliseconds])
        }
    }

    public func delivery(jobKey: String) throws(QuotaError) -> (amount: Money, evidence: String)? {
        let currency = self.currency
        return try read { db in
            try db.row(sql: "SELECT amount, evidence FROM delivery WHERE job_key = ?", arguments: [jobKey])
                .map { (Money(minorUnits: $0["amount"], currency: currency), $0["evidence"] as String) }
        }
    }
}
