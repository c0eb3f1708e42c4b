import Foundation
import Pricing

// Walk-up release: held jobs, grants, job history and PIN credentials.
//
// Failure policies:
// - A grant is written only for a held job whose recorded owner is the user asking; another
//   user's job is reported exactly like a job that does not exist.
// - A grant is taken (deleted) by the backend run that uses it, whatever that run decides: one
//   grant prints at most once. A grant older than the backend's limit is ignored, so a Release-Job
//   that failed cannot be turned into a print much later by someone else's `lp -H resume`.
// - Every state change of a held job appends a `job_event` row in the same transaction.

extension SQLQuotaStore {
    /// Records that the backend held a `release`-queue job (or held it again, with `reason`, after
    /// a grant was refused). A job held again keeps its first hold time and expiry.
    @discardableResult
    public func recordHeld(_ job: HeldJob, reason: String?, actor: String) throws(QuotaError) -> HeldJob {
        try Self.checkUserName(job.owner)
        let at = now
        return try write { db in
            let existing = try loadHeldJob(db, jobKey: job.jobKey)
            var stored = job
            stored.state = .held
            stored.message = reason ?? ""
            stored.updatedAt = at
            if let existing {
                stored.heldAt = existing.heldAt
                stored.expiresAt = existing.expiresAt
            }
            try db.run(sql: """
                INSERT INTO held_job(job_key, job_id, queue, owner, title, page_sides, sheets, copies, colour_pages,
                                                price, rates_card, state, message, held_at, expires_at, updated_at, requested_account)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'held', ?, ?, ?, ?, ?)
                ON CONFLICT(job_key) DO UPDATE SET job_id = excluded.job_id, queue = excluded.queue, owner = excluded.owner, title = excluded.title, page_sides = excluded.page_sides, sheets = excluded.sheets, copies = excluded.copies, colour_pages = excluded.colour_pages, price = excluded.price, rates_card = excluded.rates_card, state = excluded.state, message = excluded.message, held_at = excluded.held_at, expires_at = excluded.expires_at, updated_at = excluded.updated_at, requested_account = excluded.requested_account
                """, arguments: [stored.jobKey, stored.jobID, stored.queue, stored.owner, stored.title, stored.pageSides,
                                 stored.sheets, stored.copies, stored.colourPages, try units(stored.price), stored.ratesCard,
                                 stored.message, stored.heldAt.unixMilliseconds, stored.expiresAt.unixMilliseconds,
                                 at.unixMilliseconds, stored.requestedAccount])
            if let reason {
                try appendEvent(db, jobKey: job.jobKey, user: job.owner, kind: .refused, detail: reason, actor: actor, at: at)
            } else if existing?.state != .held {
                try appendEvent(db, jobKey: job.jobKey, user: job.owner, kind: .held,
                                detail: "\(job.queue): \(stored.price), \(job.pageSides) page sides", actor: actor, at: at)
            }
            return stored
        }
    }

    /// The held-job record for `jobKey`, in any state.
    public func heldJob(jobKey: String) throws(QuotaError) -> HeldJob? {
        try read { db in try loadHeldJob(db, jobKey: jobKey) }
    }

    /// Jobs of `owner` (every owner when nil) in one of `states`, oldest first.
    public func heldJobs(owner: String?, states: Set<HeldJobState>) throws(QuotaError) -> [HeldJob] {
        try read { db in
            let placeholders = Array(repeating: "?", count: states.count).joined(separator: ", ")
            var arguments = SQLArguments(states.map(\.rawValue))
            var sql = "SELECT * FROM held_job WHERE state IN (\(placeholders))"
            if let owner {
                sql += " AND owner = ?"
                arguments += [owner]
            }
            sql += " ORDER BY held_at, job_id"
            return try db.rows(sql: sql, arguments: arguments).map(heldJob(from:))
        }
    }

    /// Held jobs whose lifetime ended at `date`.
    public func expiredHeldJobs(at date: Date) throws(QuotaError) -> [HeldJob] {
        try read { db in
            try db.rows(sql: "SELECT * FROM held_job WHERE state = 'held' AND expires_at <= ? ORDER BY expires_at",
                             arguments: [date.unixMilliseconds]).map(heldJob(from:))
        }
    }

    /// Writes `user`'s grant to print the held job once, charged to `account` (nil: their chain),
    /// and marks the job released. Only the job's owner can be granted; a job not held is refused.
    @discardableResult
    public func grantRelease(jobKey: String, user: String, account: String?, grantedBy: String) throws(QuotaError) -> ReleaseGrant {
        try Self.checkUserName(user)
        let at = now
        return try write { db in
            guard let job = try loadHeldJob(db, jobKey: jobKey), job.owner == user else {
                throw QuotaError.heldJobNotFound(jobKey: jobKey, user: user)
            }
            guard job.state == .held else { throw QuotaError.jobNotHeld(jobKey: jobKey, state: job.state) }
            if let account { _ = try findAccount(db, account) }
            try db.run(sql: "INSERT INTO release_grant(job_key, user_name, account, granted_at, granted_by) VALUES (?, ?, ?, ?, ?) " +
                       "ON CONFLICT(job_key) DO UPDATE SET user_name = excluded.user_name, account = excluded.account, granted_at = excluded.granted_at, granted_by = excluded.granted_by",
                       arguments: [jobKey, user, account, at.unixMilliseconds, grantedBy])
            try db.run(sql: "UPDATE held_job SET state = 'released', message = '', updated_at = ? WHERE job_key = ?",
                       arguments: [at.unixMilliseconds, jobKey])
            try appendEvent(db, jobKey: jobKey, user: user, kind: .released,
                            detail: account.map { "on account \($0)" } ?? "on the user's chain", actor: grantedBy, at: at)
            return ReleaseGrant(jobKey: jobKey, user: user, account: account, grantedAt: at, grantedBy: grantedBy)
        }
    }

    /// Takes (deletes) the grant for `jobKey` and returns it if it is younger than `maxAge`
    /// seconds. The backend calls this once per run of a `release`-queue job.
    public func takeGrant(jobKey: String, maxAge: TimeInterval) throws(QuotaError) -> ReleaseGrant? {
        let at = now
        return try write { db in
            guard let row = try db.row(sql: "SELECT * FROM release_grant WHERE job_key = ?", arguments: [jobKey]) else {
                return nil
            }
            try db.run(sql: "DELETE FROM release_grant WHERE job_key = ?", arguments: [jobKey])
            let grant = ReleaseGrant(jobKey: row["job_key"], user: row["user_name"], account: row["account"],
                                     grantedAt: Date(unixMilliseconds: row["granted_at"]), grantedBy: row["granted_by"])
            return at.timeIntervalSince(grant.grantedAt) <= maxAge ? grant : nil
        }
    }

    /// Ends a held job's life (`printed`, `deleted`, `expired`, or `held` again is not allowed
    /// here: use ``recordHeld(_:reason:actor:)``) and appends the event.
    public func finishHeldJob(jobKey: String, state: HeldJobState, event: JobEventKind, detail: String,
                              actor: String) throws(QuotaError) {
        let at = now
        try write { db in
            guard let job = try loadHeldJob(db, jobKey: jobKey) else { return }
            try db.run(sql: "UPDATE held_job SET state = ?, updated_at = ? WHERE job_key = ?",
                       arguments: [state.rawValue, at.unixMilliseconds, jobKey])
            try db.run(sql: "DELETE FROM release_grant WHERE job_key = ?", arguments: [jobKey])
            try appendEvent(db, jobKey: jobKey, user: job.owner, kind: event, detail: detail, actor: actor, at: at)
        }
    }

    /// Records that a held job moved to another queue (follow-me): it is priced again there.
    public func moveHeldJob(jobKey: String, to queue: String, actor: String) throws(QuotaError) {
        let at = now
        try write { db in
            guard let job = try loadHeldJob(db, jobKey: jobKey) else { throw QuotaError.heldJobNotFound(jobKey: jobKey, user: actor) }
            try db.run(sql: "UPDATE held_job SET queue = ?, updated_at = ? WHERE job_key = ?",
                       arguments: [queue, at.unixMilliseconds, jobKey])
            try appendEvent(db, jobKey: jobKey, user: job.owner, kind: .moved, detail: "from \(job.queue) to \(queue)", actor: actor, at: at)
        }
    }

    /// Appends one event to a job's history (a refusal on a `quota` queue, say: it costs nothing,
    /// so the ledger has no row for it).
    public func recordJobEvent(jobKey: String, user: String, kind: JobEventKind, detail: String, actor: String) throws(QuotaError) {
        let at = now
        try write { db in try appendEvent(db, jobKey: jobKey, user: user, kind: kind, detail: detail, actor: actor, at: at) }
    }

    /// A job's history, or a user's (newest first), at most `limit` rows.
    public func jobEvents(jobKey: String?, user: String?, limit: Int) throws(QuotaError) -> [JobEvent] {
        try read { db in
            var clauses: [String] = []
            var arguments = SQLArguments()
            if let jobKey { clauses.append("job_key = ?"); arguments += [jobKey] }
            if let user { clauses.append("user_name = ?"); arguments += [user] }
            let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments += [max(0, limit)]
            return try db.rows(sql: "SELECT * FROM job_event \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments).map { row in
                JobEvent(id: row["id"], at: Date(unixMilliseconds: row["at"]), jobKey: row["job_key"], user: row["user_name"],
                         kind: JobEventKind(rawValue: row["kind"]) ?? .held, detail: row["detail"], actor: row["actor"])
            }
        }
    }

    // MARK: PIN credentials

    /// Sets (or replaces) a user's card number and PIN hash.
    public func setCredential(user: String, cardNumber: String?, pinHash: String) throws(QuotaError) {
        try Self.checkUserName(user)
        let at = now
        try write { db in
            try ensureUser(db, user, at: at)
            if let cardNumber,
               try db.value(String.self, sql: "SELECT user_name FROM credential WHERE card_number = ? AND user_name <> ?",
                                   arguments: [cardNumber, user]) != nil {
                throw QuotaError.cardInUse(cardNumber: cardNumber)
            }
            // At the station one field takes a user name or a card number: never let one text be both.
            if let cardNumber, cardNumber != user,
               try db.value(String.self, sql: "SELECT name FROM \"user\" WHERE name = ?", arguments: [cardNumber]) != nil {
                throw QuotaError.ambiguousSignIn(identifier: cardNumber)
            }
            if try db.value(String.self, sql: "SELECT user_name FROM credential WHERE card_number = ? AND user_name <> ?",
                                   arguments: [user, user]) != nil {
                throw QuotaError.ambiguousSignIn(identifier: user)
            }
            try db.run(sql: """
                INSERT INTO credential(user_name, card_number, pin_hash, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(user_name) DO UPDATE SET card_number = excluded.card_number, pin_hash = excluded.pin_hash, updated_at = excluded.updated_at
                """, arguments: [user, cardNumber, pinHash, at.unixMilliseconds])
        }
    }

    /// Removes a user's card and PIN.
    public func removeCredential(user: String) throws(QuotaError) {
        try write { db in try db.run(sql: "DELETE FROM credential WHERE user_name = ?", arguments: [user]) }
    }

    /// The credential whose user name or card number is `identifier`; a user name wins over a card
    /// number (``setCredential(user:cardNumber:pinHash:)`` refuses to make one text both, but a
    /// user first seen after their name was given out as a card number could still make it so).
    public func credential(identifier: String) throws(QuotaError) -> PINCredential? {
        try read { db in
            try db.row(sql: """
                SELECT * FROM credential WHERE user_name = ? OR card_number = ? ORDER BY user_name = ? DESC LIMIT 1
                """, arguments: [identifier, identifier, identifier]).map { row in
                PINCredential(user: row["user_name"], cardNumber: row["card_number"], pinHash: row["pin_hash"])
            }
        }
    }

    /// Every stored PIN hash (to see which are peppered with which key).
    public func pinHashes() throws(QuotaError) -> [String] {
        try read { db in try db.values(String.self, sql: "SELECT pin_hash FROM credential") }
    }

    /// Rewrites stored PIN hashes in one transaction: `transform` gives a hash's new text, or `nil`
    /// to keep it. Returns how many changed.
    @discardableResult
    public func rewritePINHashes(_ transform: (String) -> String?) throws(QuotaError) -> Int {
        let at = now
        return try write { db in
            var changed = 0
            for row in try db.rows(sql: "SELECT user_name, pin_hash FROM credential") {
                guard let new = transform(row["pin_hash"]) else { continue }
                try db.run(sql: "UPDATE credential SET pin_hash = ?, updated_at = ? WHERE user_name = ?",
                           arguments: [new, at.unixMilliseconds, row["user_name"] as String])
                changed += 1
            }
            return changed
        }
    }

    // MARK: Rows

    func loadHeldJob(_ db: any SQLSession, jobKey: String) throws -> HeldJob? {
        try db.row(sql: "SELECT * FROM held_job WHERE job_key = ?", arguments: [jobKey]).map(heldJob(from:))
    }

    func heldJob(from row: SQLRow) -> HeldJob {
        HeldJob(jobKey: row["job_key"], jobID: row["job_id"], queue: row["queue"], owner: row["owner"], title: row["title"],
                pageSides: row["page_sides"], sheets: row["sheets"], copies: row["copies"], colourPages: row["colour_pages"],
                price: money(row["price"]), ratesCard: row["rates_card"],
                state: HeldJobState(rawValue: row["state"]) ?? .held, message: row["message"],
                heldAt: Date(unixMilliseconds: row["held_at"]), expiresAt: Date(unixMilliseconds: row["expires_at"]),
                updatedAt: Date(unixMilliseconds: row["updated_at"]), requestedAccount: row["requested_account"])
    }

    func appendEvent(_ db: any SQLSession, jobKey: String, user: String, kind: JobEventKind, detail: String, actor: String, at: Date) throws {
        try db.run(sql: "INSERT INTO job_event(at, job_key, user_name, kind, detail, actor) VALUES (?, ?, ?, ?, ?, ?)",
                   arguments: [at.unixMilliseconds, jobKey, user, kind.rawValue, detail, actor])
    }
}
