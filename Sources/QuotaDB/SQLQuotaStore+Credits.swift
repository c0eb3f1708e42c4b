import Foundation
import Pricing

extension SQLQuotaStore {
    @discardableResult
    public func topUp(user: String, amount: Money, reference: String?, actor: String) throws(QuotaError) -> LedgerEntry {
        let value = try checkedTopUp(user: user, amount: amount)
        let at = now
        let reference = reference.flatMap { $0.isEmpty ? nil : $0 }
        return try write { db in
            try ledgerEntry(db, id: try topUp(db, user: user, value: value, reference: reference, actor: actor, at: at))
        }
    }

    /// The top-up's minor units, after checking the user name and that it is above zero.
    func checkedTopUp(user: String, amount: Money) throws(QuotaError) -> Int64 {
        try Self.checkUserName(user)
        let value = try units(amount)
        guard value > 0 else { throw .invalidAmount("a top-up must be above zero (\(amount))") }
        return value
    }

    /// ``topUp(user:amount:reference:actor:)`` inside the caller's transaction (CLI and API):
    /// the ledger row's id; the first row's for a reference seen before.
    func topUp(_ db: any SQLSession, user: String, value: Int64, reference: String?, actor: String, at: Date) throws -> Int64 {
        if let reference, let row = try db.row(sql: "SELECT id, user_name, amount FROM ledger WHERE kind = 'top-up' AND reference = ?",
                                                     arguments: [reference]) {
            // The same payment reported twice is credited once.
            guard (row["user_name"] as String) == user, (row["amount"] as Int64) == value else {
                throw QuotaError.referenceConflict(reference: reference)
            }
            return row["id"]
        }
        try ensureUser(db, user, at: at)
        return try postEntry(db, kind: .topUp, user: user, accountID: nil, amount: value, effect: value, jobKey: nil,
                             reason: reference.map { "top-up \($0)" } ?? "top-up", actor: actor, reference: reference, at: at)
    }

    /// The top-up recorded with this reference (a payment id), if any.
    public func topUpEntry(reference: String) throws(QuotaError) -> LedgerEntry? {
        try read { db in
            guard let id = try db.value(Int64.self, sql: "SELECT id FROM ledger WHERE kind = 'top-up' AND reference = ?",
                                              arguments: [reference]) else { return nil }
            return try ledgerEntry(db, id: id)
        }
    }

    @discardableResult
    public func credit(user: String, to destination: Destination, amount: Money, mode: CreditMode,
                       reason: String, actor: String) throws(QuotaError) -> LedgerEntry {
        let value = try checkedCredit(user: user, amount: amount)
        let at = now
        return try write { db in
            try ledgerEntry(db, id: try credit(db, user: user, destination: destination, value: value, mode: mode,
                                               reason: reason, actor: actor, at: at))
        }
    }

    /// The credit's minor units, after checking the user name and that it is not negative.
    func checkedCredit(user: String, amount: Money) throws(QuotaError) -> Int64 {
        try Self.checkUserName(user)
        let value = try units(amount)
        guard value >= 0 else {
            throw .invalidAmount("a credit cannot be negative (\(amount)); to take money away use an adjustment")
        }
        return value
    }

    /// ``credit(user:to:amount:mode:reason:actor:)`` inside the caller's transaction: the one
    /// path of a manual credit (the CLI's and the Accounts API's). Returns the ledger row's id.
    func credit(_ db: any SQLSession, user: String, destination: Destination, value: Int64, mode: CreditMode,
                reason: String, actor: String, at: Date) throws -> Int64 {
        try ensureUser(db, user, at: at)
        return try applyCredit(db, user: user, destination: destination, value: value, mode: mode,
                               reason: reason, actor: actor, reference: nil, at: at)
    }

    /// Adds `value` to a balance, or resets it so that the wallet balance (or the account's
    /// remaining allocation) equals `value`. Shared by manual and scheduled credits.
    func applyCredit(_ db: any SQLSession, user: String, destination: Destination, value: Int64, mode: CreditMode,
                     reason: String, actor: String, reference: String?, at date: Date) throws -> Int64 {
        var accountID: AccountID?
        var current: Int64
        var target = value
        switch destination {
        case .wallet:
            current = try walletBalance(db, user)
        case .account(let nameOrCode):
            let account = try findAccount(db, nameOrCode)
            accountID = account.id
            current = try allocationBalance(db, account: account.id, user: user)
            if mode == .resetTo {
                // Remaining = hard + balance, so the balance that leaves `value` remaining is value − hard.
                guard case .limited(_, let hard) = account.allocation else {
                    throw QuotaError.invalidAmount("account \(account.name) is unlimited: there is no remaining allocation to reset; use add")
                }
                target = value - hard.minorUnits
            }
        }
        let effect = mode == .add ? value : target - current
        let why = reason.isEmpty ? (mode == .add ? "credit" : "reset to \(money(value))") : reason
        return try postEntry(db, kind: .credit, user: user, accountID: accountID, amount: value, effect: effect, jobKey: nil,
                        reason: why, actor: actor, reference: reference, at: date)
    }

    @discardableResult
    public func adjust(user: String, on destination: Destination, by delta: Money, reason: String, actor: String) throws(QuotaError) -> LedgerEntry {
        let value = try checkedAdjustment(user: user, delta: delta, reason: reason)
        let at = now
        return try write { db in
            try ledgerEntry(db, id: try adjust(db, user: user, destination: destination, value: value, reason: reason, actor: actor, at: at))
        }
    }

    /// The adjustment's signed minor units, after checking the user name and the reason.
    func checkedAdjustment(user: String, delta: Money, reason: String) throws(QuotaError) -> Int64 {
        try Self.checkUserName(user)
        let value = try units(delta)
        guard !reason.isEmpty else { throw .invalidAmount("an adjustment needs a reason (it is kept in the ledger)") }
        return value
    }

    /// ``adjust(user:on:by:reason:actor:)`` inside the caller's transaction (CLI and API).
    func adjust(_ db: any SQLSession, user: String, destination: Destination, value: Int64, reason: String, actor: String,
                at: Date) throws -> Int64 {
        try ensureUser(db, user, at: at)
        var accountID: AccountID?
        if case .account(let nameOrCode) = destination { accountID = try findAccount(db, nameOrCode).id }
        return try postEntry(db, kind: .adjustment, user: user, accountID: accountID, amount: value, effect: value, jobKey: nil,
                        reason: reason, actor: actor, at: at)
    }
}
