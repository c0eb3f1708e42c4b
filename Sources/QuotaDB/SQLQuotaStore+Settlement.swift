import Foundation
import Pricing

extension SQLQuotaStore {
    @discardableResult
    public func settle(jobKey: String, amount: Money? = nil, actor: String) throws(QuotaError) -> Reservation {
        let target = try amount.map { (m: Money) throws(QuotaError) -> Int64 in try units(m) }
        let at = now
        return try write(durable: true) { db in
            guard let (reservation, wallet, allocation, debits) = try loadReservationAndBalances(db, jobKey: jobKey) else {
                throw QuotaError.unknownJob(jobKey: jobKey)
            }
            switch reservation.state {
            case .settled: return reservation                       // settling twice = once
            case .released: throw QuotaError.alreadyReleased(jobKey: jobKey)
            case .reserved: break
            }
            let total = reservation.total.minorUnits
            let charge = target ?? total
            guard charge >= 0, charge <= total else {
                throw QuotaError.exceedsJob(jobKey: jobKey, requested: money(charge).description, available: money(total).description)
            }
            // Settling less than reserved releases the difference, wallet first (its money is the user's own).
            let excess = total - charge
            let walletRelease = min(excess, reservation.walletPart.minorUnits)
            let accountRelease = excess - walletRelease
            let accountID = reservation.account?.id
            // The balances as each row leaves them (read with the reservation, moved here).
            let walletAfterRelease = wallet + walletRelease, allocationAfterRelease = allocation + accountRelease
            if walletRelease > 0 {
                try post(db, kind: .release, user: reservation.user, accountID: nil, amount: walletRelease, effect: walletRelease,
                         jobKey: jobKey, reason: "settled for \(money(charge)) instead of \(money(total))", actor: actor, at: at,
                         before: wallet)
            }
            if accountRelease > 0, let accountID {
                try post(db, kind: .release, user: reservation.user, accountID: accountID, amount: accountRelease, effect: accountRelease,
                         jobKey: jobKey, reason: "settled for \(money(charge)) instead of \(money(total))", actor: actor, at: at,
                         before: allocation)
            }
            let accountPart = reservation.accountPart.minorUnits - accountRelease
            let walletPart = reservation.walletPart.minorUnits - walletRelease
            // A reserved job has no debit yet (then each debit here is counted from this list; else read).
            var debited: [Int64]? = debits == 0 ? [] : nil
            for (source, part) in Self.sources(account: accountID, accountPart: accountPart, walletPart: walletPart) {
                try post(db, kind: .debit, user: reservation.user, accountID: source, amount: part, effect: 0,
                         jobKey: jobKey, reason: "job \(jobKey) printed", actor: actor, at: at,
                         before: source == nil ? walletAfterRelease : allocationAfterRelease, debited: debited)
                debited?.append(source ?? UsageTotals.walletKey)
            }
            try db.queue(sql: """
                UPDATE reservation SET state = 'settled', account_part = ?, wallet_part = ?, updated_at = ? WHERE job_key = ?
                """, arguments: [accountPart, walletPart, at.unixMilliseconds, jobKey])
            var settled = reservation
            settled.state = .settled
            settled.accountPart = money(accountPart)
            settled.walletPart = money(walletPart)
            settled.updatedAt = Date(unixMilliseconds: at.unixMilliseconds)
            return settled
        }
    }

    @discardableResult
    public func cancel(jobKey: String, actor: String) throws(QuotaError) -> CancelOutcome {
        let at = now
        return try write(durable: true) { db in
            guard let reservation = try loadReservation(db, jobKey: jobKey) else { return .nothingReserved }
            switch reservation.state {
            case .released: return .alreadyReleased(reservation)
            case .settled: throw QuotaError.alreadySettled(jobKey: jobKey)   // cancel after settle is refused: use refund
            case .reserved: break
            }
            for (source, part) in Self.sources(account: reservation.account?.id, accountPart: reservation.accountPart.minorUnits,
                                               walletPart: reservation.walletPart.minorUnits) {
                try post(db, kind: .release, user: reservation.user, accountID: source, amount: part, effect: part,
                         jobKey: jobKey, reason: "job \(jobKey) did not print", actor: actor, at: at)
            }
            try db.queue(sql: "UPDATE reservation SET state = 'released', updated_at = ? WHERE job_key = ?",
                         arguments: [at.unixMilliseconds, jobKey])
            var released = reservation
            released.state = .released
            released.updatedAt = Date(unixMilliseconds: at.unixMilliseconds)
            return .released(released)
        }
    }

    @discardableResult
    public func refund(jobKey: String, amount: Money, reason: String, actor: String) throws(QuotaError) -> Reservation {
        let target = try units(amount)
        guard target >= 0 else { throw .invalidAmount("a refund cannot be negative (\(amount))") }
        let at = now
        return try write(durable: true) { db in
            guard let reservation = try loadReservation(db, jobKey: jobKey) else { throw QuotaError.unknownJob(jobKey: jobKey) }
            switch reservation.state {
            case .reserved: throw QuotaError.notSettled(jobKey: jobKey)
            case .released: throw QuotaError.alreadyReleased(jobKey: jobKey)
            case .settled: break
            }
            let total = reservation.total.minorUnits
            guard target <= total else {
                throw QuotaError.exceedsJob(jobKey: jobKey, requested: amount.description, available: reservation.total.description)
            }
            let row = try db.row(sql: "SELECT refunded_account, refunded_wallet FROM reservation WHERE job_key = ?", arguments: [jobKey])!
            let refundedAccount: Int64 = row["refunded_account"], refundedWallet: Int64 = row["refunded_wallet"]
            let extra = target - refundedAccount - refundedWallet
            guard extra > 0 else { return reservation }             // the target is already reached: nothing to do
            // The wallet part is given back first, then the account's usage is lowered.
            let toWallet = min(extra, reservation.walletPart.minorUnits - refundedWallet)
            let toAccount = extra - toWallet
            let why = reason.isEmpty ? "refund of job \(jobKey)" : reason
            if toWallet > 0 {
                try post(db, kind: .refund, user: reservation.user, accountID: nil, amount: toWallet, effect: toWallet,
                         jobKey: jobKey, reason: why, actor: actor, at: at)
            }
            if toAccount > 0, let accountID = reservation.account?.id {
                try post(db, kind: .refund, user: reservation.user, accountID: accountID, amount: toAccount, effect: toAccount,
                         jobKey: jobKey, reason: why, actor: actor, at: at)
            }
            try db.run(sql: """
                UPDATE reservation SET refunded_wallet = refunded_wallet + ?, refunded_account = refunded_account + ?, updated_at = ?
                WHERE job_key = ?
                """, arguments: [toWallet, toAccount, at.unixMilliseconds, jobKey])
            return try loadReservation(db, jobKey: jobKey)!
        }
    }
}
