import Foundation
import Pricing

extension SQLQuotaStore: VoucherStore {
    public func addVoucherBatch(value: Money, codeHashes: [Data], expiresAt: Date?, actor: String) throws(QuotaError) -> VoucherBatch {
        let units = try units(value)
        guard units > 0 else { throw .invalidAmount("a voucher must be worth more than zero (\(value))") }
        guard !codeHashes.isEmpty, codeHashes.allSatisfy({ $0.count == 32 }) else { throw .invalidAmount("a batch needs at least one voucher") }
        let at = now
        return try write { db in
            let id = try db.value(Int64.self, sql: "INSERT INTO voucher_batch(value, count, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                                  arguments: [units, codeHashes.count, at.unixMilliseconds, actor, expiresAt?.unixMilliseconds])!
            for hash in codeHashes {
                try db.run(sql: "INSERT INTO voucher(code_hash, batch_id) VALUES (?, ?)", arguments: [hash, id])
            }
            return try loadBatch(db, id)
        }
    }

    public func voucherBatches() throws(QuotaError) -> [VoucherBatch] {
        try read { db in
            try db.values(Int64.self, sql: "SELECT id FROM voucher_batch ORDER BY id").map { id in try loadBatch(db, id) }
        }
    }

    public func voidVoucherBatch(_ id: Int64, actor: String) throws(QuotaError) -> VoucherBatch {
        let at = now
        return try write { db in
            guard try db.value(Int64.self, sql: "SELECT id FROM voucher_batch WHERE id = ?", arguments: [id]) != nil else {
                throw QuotaError.voucherBatchNotFound(id)
            }
            try db.run(sql: "UPDATE voucher_batch SET voided_at = COALESCE(voided_at, ?), voided_by = COALESCE(voided_by, ?) WHERE id = ?",
                       arguments: [at.unixMilliseconds, actor, id])
            return try loadBatch(db, id)
        }
    }

    public func redeemVoucher(codeHash: Data, user: String, actor: String) throws(QuotaError) -> LedgerEntry {
        try Self.checkUserName(user)
        let at = now
        // A refusal is an outcome, not a thrown error, so that a wrong code's attempt row commits.
        enum Outcome { case redeemed(LedgerEntry), refused(QuotaError) }
        let outcome: Outcome = try write { db in
            let windowStart = at.addingTimeInterval(-voucherAttemptWindow).unixMilliseconds
            try db.run(sql: "DELETE FROM voucher_attempt WHERE at < ?", arguments: [windowStart])
            let failures = try db.values(Int64.self, sql: "SELECT at FROM voucher_attempt WHERE user_name = ? ORDER BY at", arguments: [user])
            if failures.count >= voucherAttemptLimit {
                let free = Date(unixMilliseconds: failures[failures.count - voucherAttemptLimit]).addingTimeInterval(voucherAttemptWindow)
                return .refused(.voucherAttemptsExceeded(retryAfterSeconds: max(1, Int(free.timeIntervalSince(at).rounded(.up)))))
            }
            guard let row = try db.row(sql: """
                SELECT v.batch_id, v.redeemed_at, b.value, b.expires_at, b.voided_at
                FROM voucher v JOIN voucher_batch b ON b.id = v.batch_id WHERE v.code_hash = ?
                """, arguments: [codeHash]) else {
                try db.run(sql: "INSERT INTO voucher_attempt(user_name, at) VALUES (?, ?)", arguments: [user, at.unixMilliseconds])
                return .refused(.voucherUnknown)
            }
            if let used: Int64 = row["redeemed_at"] { return .refused(.voucherUsed(at: Date(unixMilliseconds: used))) }
            if let voided: Int64 = row["voided_at"] {
                return .refused(.voucherNotValid("its batch was voided on \(Date(unixMilliseconds: voided))"))
            }
            if let expires: Int64 = row["expires_at"], expires <= at.unixMilliseconds {
                return .refused(.voucherNotValid("it expired on \(Date(unixMilliseconds: expires))"))
            }
            let batch: Int64 = row["batch_id"]
            let reference = "voucher \(batch)-" + codeHash.prefix(6).map { String(format: "%02x", $0) }.joined()
            let id = try topUp(db, user: user, value: row["value"], reference: reference, actor: actor, at: at)
            try db.run(sql: "UPDATE voucher SET redeemed_by = ?, redeemed_at = ?, ledger_id = ? WHERE code_hash = ?",
                       arguments: [user, at.unixMilliseconds, id, codeHash])
            return .redeemed(try ledgerEntry(db, id: id))
        }
        switch outcome {
        case .redeemed(let entry): return entry
        case .refused(let error): throw error
        }
    }

    private func loadBatch(_ db: any SQLSession, _ id: Int64) throws -> VoucherBatch {
        guard let row = try db.row(sql: """
            SELECT b.*, (SELECT count(*) FROM voucher v WHERE v.batch_id = b.id AND v.redeemed_at IS NOT NULL) AS redeemed
            FROM voucher_batch b WHERE b.id = ?
            """, arguments: [id]) else { throw QuotaError.voucherBatchNotFound(id) }
        let expires: Int64? = row["expires_at"], voided: Int64? = row["voided_at"]
        return VoucherBatch(id: row["id"], value: money(row["value"]), count: row["count"], redeemed: row["redeemed"],
                            createdAt: Date(unixMilliseconds: row["created_at"]), createdBy: row["created_by"],
                            expiresAt: expires.map(Date.init(unixMilliseconds:)), voidedAt: voided.map(Date.init(unixMilliseconds:)),
                            voidedBy: row["voided_by"])
    }
}
