import CupsClient
import Enforcement
import Foundation
import Pricing
import QuotaDB

/// What a release station, the user portal and `tollgate jobs|release` do for a signed-in user.
///
/// The caller has authenticated `user` (PAM, PIN, or the Unix user at a terminal); every method
/// acts only on that user's jobs. Another user's job is reported exactly like a job that does not
/// exist, so a station never reveals whose jobs wait.
///
/// Failure policies:
/// - cupsd unreachable → ``ReleaseError/cups(_:)``; nothing is written.
/// - release: the funds are checked first (a dry run of the backend's own decision); a job the
///   chain cannot pay is not released, and the user is told what to top up. The backend checks
///   again when it runs: the grant says who released it and on which account, and it is used once.
/// - Release-Job refused by cupsd after the grant was written → the grant is withdrawn and the job
///   stays held.
/// - delete: Cancel-Job, then the job's record ends (and any open reservation is released).
/// - expiry: cancelled in cupsd, reservation released, recorded as `expired` in the job history.
public struct ReleaseService: Sendable {
    public let store: any PrintAccountingStore
    public let settings: SiteSettings

    public init(store: any PrintAccountingStore, settings: SiteSettings) {
        self.store = store
        self.settings = settings
    }

    // MARK: Listing

    /// `user`'s jobs waiting for release, oldest first, as both cupsd and the database see them.
    /// A record whose job cupsd no longer holds (cancelled with `cancel`, say) is closed here.
    public func heldJobs(for user: String) throws(ReleaseError) -> [HeldJob] {
        let cups = try connect()
        let live: [String: IPPJobState?]
        do {
            live = try Dictionary(cups.activeJobs(owner: user, names: ["job-id", "time-at-creation", "job-state"]).compactMap { job in
                guard let id = job.integer("job-id"), let created = job.integer("time-at-creation") else { return nil }
                return (key(jobID: id, created: created), job.jobState)
            }, uniquingKeysWith: { first, _ in first })
        } catch { throw .cups(error) }
        var result: [HeldJob] = []
        for job in try quota({ try store.heldJobs(owner: user, states: [.held]) }) where isOnThisServer(job) {
            guard let state = live[job.jobKey] else {
                try quota { try store.finishHeldJob(jobKey: job.jobKey, state: .deleted, event: .deleted,
                                                    detail: "cancelled outside Tollgate", actor: "tollgate") }
                continue
            }
            if state == .pendingHeld { result.append(job) }
        }
        return result
    }

    /// The record of job `jobID` of this server, whoever owns it, in any state: for an
    /// administrator acting for the owner (the Accounts API), who names the job by cupsd's id.
    /// Jobs waiting or just released are found in the database alone; a printed, deleted or
    /// expired one through cupsd's history (its time-at-creation makes the job key).
    ///
    /// Failure policy: no such record, or cupsd unreachable while looking for a finished one →
    /// ``ReleaseError/noSuchJob(jobID:)`` (nothing waits under that number either way).
    public func record(ofJob jobID: Int) throws(ReleaseError) -> HeldJob {
        let current = try quota { try store.heldJobs(owner: nil, states: [.held, .released]) }
            .filter { $0.jobID == jobID && isOnThisServer($0) }
        // cupsd reuses ids after losing its state: the newest record is the job cupsd has now.
        if let job = current.max(by: { $0.heldAt < $1.heldAt }) { return job }
        guard let cups = try? connect(),
              let created = (try? cups.jobAttributes(jobID, names: ["time-at-creation"]))?.integer("time-at-creation"),
              let job = try quota({ try store.heldJob(jobKey: key(jobID: jobID, created: created)) }) else {
            throw .noSuchJob(jobID: jobID)
        }
        return job
    }

    /// Whether users may choose the account a job is charged to, and change their active account
    /// (the admin console's client setting), where a user — not an administrator — chooses: the
    /// station, the portal and the local socket. Failure policy: a setting that cannot be read
    /// counts as the default (users choose); what an account may be charged is still checked.
    public func usersMayChooseAccounts() -> Bool {
        ((try? store.clientSettings()) ?? .defaults).accountChoice
    }

    /// What the user can see and choose at the portal.
    public func summary(for user: String, recent: Int = 20) throws(ReleaseError) -> UserSummary {
        try quota {
            UserSummary(balances: try store.balances(for: user),
                        releasing: try store.heldJobs(owner: user, states: [.released]).filter(isOnThisServer),
                        usableAccounts: try store.usableAccounts(for: user),
                        recentJobs: try store.jobEvents(jobKey: nil, user: user, limit: recent),
                        recentLedger: try store.ledger(LedgerQuery(user: user, limit: recent, newestFirst: true)),
                        notify: try store.notificationsEnabled(for: user))
        }
    }

    /// Whether `user` gets mail about their jobs and money (their choice, at the portal).
    public func setNotifications(_ enabled: Bool, for user: String) throws(ReleaseError) {
        try quota { try store.setNotifications(enabled, for: user) }
    }

    /// Sets (or clears) the account the user's next jobs are charged to.
    @discardableResult
    public func setActiveAccount(_ account: String?, for user: String) throws(ReleaseError) -> ActiveAccount {
        try quota { try store.setActiveAccount(account, for: user, by: .user) }
    }

    /// Redeems the voucher typed as `code` into `user`'s personal wallet (the station's portal,
    /// the local socket and the CLI alike). A code that is not one (a typo the check symbol
    /// catches) is refused before the store is asked and does not count as a wrong try.
    public func redeemVoucher(_ code: String, for user: String, via: String) throws(ReleaseError) -> LedgerEntry {
        guard let voucher = VoucherCode(typed: code) else {
            throw .quota(.voucherNotValid("this is not a voucher code (16 letters and digits, XXXX-XXXX-XXXX-XXXX): check it for a typo"))
        }
        return try quota { try store.redeemVoucher(codeHash: voucher.hash, user: user, actor: "\(user) via \(via)") }
    }

    // MARK: Release, delete, move

    /// Releases job `jobID` of `user`, to be charged to `account` (nil: the user's chain).
    /// With `queue` (follow-me), the job is first moved to that release queue of this server, and
    /// the backend prices it with that queue's rates card. `via` says where (`station`, `cli`…)
    /// for the job history.
    @discardableResult
    public func release(jobID: Int, by user: String, account: String?, on queue: String? = nil,
                        via: String) throws(ReleaseError) -> ReleasedJob {
        let cups = try connect()
        var job = try ownHeldJob(jobID, of: user, cups: cups)
        if let queue, queue != job.queue {
            guard try releaseQueues().contains(queue) else { throw .notAReleaseQueue(queue) }
            do { try cups.moveJob(jobID, toPrinter: queue, owner: user) } catch { throw .cups(error) }
            try quota { try store.moveHeldJob(jobKey: job.jobKey, to: queue, actor: via) }
            job.queue = queue
        }
        let policy = try queuePolicy(job.queue, cups: cups)
        let decision = try quota {
            try store.preview(AuthorizationRequest(jobKey: job.jobKey, user: user, amount: job.price,
                                                   policy: policy.chargePolicy, account: account, actor: via))
        }
        if case .refused(let refusal) = decision { throw .cannotPay(jobID: jobID, refusal: refusal) }
        try quota { try store.grantRelease(jobKey: job.jobKey, user: user, account: account, grantedBy: via) }
        do {
            try cups.releaseJob(jobID, owner: user)
        } catch {
            // Withdraw the grant: the job stays held, and no later resume can use it.
            _ = try? store.takeGrant(jobKey: job.jobKey, maxAge: 0)
            _ = try? store.recordHeld(job, reason: nil, actor: via)
            throw .cups(error)
        }
        return ReleasedJob(job: job, account: decision.approval?.reservation.account?.name,
                           accountPart: decision.approval?.reservation.accountPart,
                           walletPart: decision.approval?.reservation.walletPart)
    }

    /// Releases every held job of `user`, oldest first; returns each job's outcome.
    public func releaseAll(by user: String, account: String?, via: String) throws(ReleaseError) -> [(HeldJob, Result<ReleasedJob, ReleaseError>)] {
        var outcomes: [(HeldJob, Result<ReleasedJob, ReleaseError>)] = []
        for job in try heldJobs(for: user) {
            do throws(ReleaseError) {
                outcomes.append((job, .success(try release(jobID: job.jobID, by: user, account: account, via: via))))
            } catch {
                outcomes.append((job, .failure(error)))
            }
        }
        return outcomes
    }

    /// Deletes (cancels) job `jobID` of `user`.
    public func delete(jobID: Int, by user: String, via: String) throws(ReleaseError) {
        let cups = try connect()
        let job = try ownHeldJob(jobID, of: user, cups: cups)
        do { try cups.cancelJob(jobID, owner: user) } catch { throw .cups(error) }
        try close(job, state: .deleted, event: .deleted, detail: "deleted by \(user) (\(via))", actor: via)
    }

    /// The queues of this server in `release` mode, by name.
    public func releaseQueues() throws(ReleaseError) -> [String] {
        let cups = try connect()
        do {
            return try cups.printers(names: ["printer-name", "tollgate-mode-default"]).compactMap { printer in
                guard printer.string("tollgate-mode-default")?.lowercased() == QueuePolicy.Mode.release.rawValue else { return nil }
                return printer.string("printer-name")
            }.sorted()
        } catch { throw .cups(error) }
    }

    // MARK: Expiry

    /// Cancels every held job whose lifetime has ended, releases any reservation it holds, and
    /// records it as expired. Run by tollgated's scheduler and by `tollgate tick`.
    public func expireHeldJobs(actor: String = "tollgate") throws(ReleaseError) -> [HeldJob] {
        // Another server sharing the database expires its own jobs: its job ids mean other jobs here.
        let due = try quota { try store.expiredHeldJobs(at: Date()) }.filter(isOnThisServer)
        guard !due.isEmpty else { return [] }
        let cups = try connect()
        for job in due {
            // Only if cupsd's job with this id is this job (same time-at-creation): ids start over
            // when cupsd loses its state, and a stale record must not cancel a newer job.
            let stillThere: Bool
            do {
                let attributes = try cups.jobAttributes(job.jobID, names: ["time-at-creation"], asUser: job.owner)
                stillThere = attributes.integer("time-at-creation").map { key(jobID: job.jobID, created: $0) } == job.jobKey
            } catch {
                guard case .notFound = error else { throw .cups(error) }
                stillThere = false
            }
            if stillThere {
                do {
                    try cups.cancelJob(job.jobID, owner: job.owner)
                } catch {
                    // Gone from cupsd in the meantime: only the record is left to close.
                    guard case .notFound = error else { throw .cups(error) }
                }
            }
            let hours = Int((job.expiresAt.timeIntervalSince(job.heldAt) / 3600).rounded())
            try close(job, state: .expired, event: .expired, detail: "not released within \(hours) h; cancelled", actor: actor)
            store.notify(job.owner, .expired, UserNotices().expired(title: job.title, jobID: job.jobID, printer: job.queue))
        }
        return due
    }

    // MARK: Helpers

    private func close(_ job: HeldJob, state: HeldJobState, event: JobEventKind, detail: String, actor: String) throws(ReleaseError) {
        try quota {
            if let reservation = try store.reservation(jobKey: job.jobKey), reservation.state == .reserved {
                try store.cancel(jobKey: job.jobKey, actor: actor)
            }
            try store.finishHeldJob(jobKey: job.jobKey, state: state, event: event, detail: detail, actor: actor)
        }
    }

    /// Job `jobID` as cupsd and the database know it, if it is `user`'s and waiting for release.
    private func ownHeldJob(_ jobID: Int, of user: String, cups: CupsClient) throws(ReleaseError) -> HeldJob {
        let attributes: IPPAttributes
        do {
            // Asked in the user's name: cupsd shows the owner to the owner (and to root only when
            // SystemGroup lists root), so another user's job lacks it and is "no such job".
            attributes = try cups.jobAttributes(jobID, names: ["job-id", "time-at-creation", "job-state", "job-originating-user-name"],
                                                asUser: user)
        } catch CupsClientError.notFound {
            throw .noSuchJob(jobID: jobID)
        } catch {
            throw .cups(error)
        }
        guard attributes.string("job-originating-user-name") == user, let created = attributes.integer("time-at-creation"),
              let job = try quota({ try store.heldJob(jobKey: key(jobID: jobID, created: created)) }), job.owner == user else {
            throw .noSuchJob(jobID: jobID)
        }
        guard job.state == .held, attributes.jobState == .pendingHeld else {
            throw .notHeld(jobID: jobID, state: job.state)
        }
        return job
    }

    private func queuePolicy(_ queue: String, cups: CupsClient) throws(ReleaseError) -> QueuePolicy {
        do {
            return try QueuePolicy(printerAttributes: cups.printerAttributes(queue, names: QueuePolicy.attributeNames))
        } catch let error as CupsClientError {
            throw .cups(error)
        } catch {
            throw .queueMisconfigured(queue: queue, detail: "\(error)")
        }
    }

    private func key(jobID: Int, created: Int) -> String { JobKey(server: settings.serverName, jobID: jobID, createdAt: created).rawValue }

    /// Whether the job is one of this server's cupsd.
    private func isOnThisServer(_ job: HeldJob) -> Bool { JobKey.isJob(job.jobKey, of: settings.serverName) }

    private func connect() throws(ReleaseError) -> CupsClient {
        do { return try CupsClient(server: settings.cupsServer) } catch { throw .cups(error) }
    }

    /// Runs database calls, reporting their failure as ``ReleaseError/quota(_:)``.
    @discardableResult
    private func quota<T>(_ body: () throws -> T) throws(ReleaseError) -> T {
        do {
            return try body()
        } catch let error as QuotaError {
            throw .quota(error)
        } catch {
            throw .quota(.databaseUnavailable(path: store.locationDescription, detail: "\(error)"))
        }
    }
}

/// A job just released, with how the dry run expects it to be paid.
public struct ReleasedJob: Sendable, CustomStringConvertible {
    /// "Released “thesis.pdf” (job 12) to secure: it prints now; 0.37 EUR on account Physics." —
    /// what the user pays where, said the same by every front end.
    public var description: String {
        let title = job.title.isEmpty ? "job \(job.jobID)" : "“\(job.title)” (job \(job.jobID))"
        var payment = "\(job.price)"
        switch (account, accountPart, walletPart) {
        case (let account?, let accountPart?, let walletPart?) where !accountPart.isZero && !walletPart.isZero:
            payment = "\(accountPart) on account \(account) and \(walletPart) from your personal wallet"
        case (let account?, _, let walletPart) where walletPart?.isZero ?? true:
            payment += " on account \(account)"
        default:
            payment += " from your personal wallet"
        }
        return "Released \(title) to \(job.queue): it prints now; \(payment)."
    }

    public var job: HeldJob
    /// The account expected to pay first (nil: the personal wallet only).
    public var account: String?
    public var accountPart: Money?
    public var walletPart: Money?
}

/// Everything the portal shows a user.
public struct UserSummary: Sendable {
    public var balances: UserBalances
    /// Jobs the user released that have not printed yet: the balances do not show their price
    /// until the printer's run reserves it, moments later.
    public var releasing: [HeldJob]
    /// Accounts the user may charge now (to choose per job, or as the active account).
    public var usableAccounts: [Account]
    /// The user's latest job events (held, released, printed, refused, expired…), newest first.
    public var recentJobs: [JobEvent]
    /// The user's latest ledger entries, newest first.
    public var recentLedger: [LedgerEntry]
    /// Whether the user gets mail about their jobs and money.
    public var notify: Bool = true
}

/// What became of one job a user released or deleted, in the one sentence every front end (the
/// CLI, the local socket, the station's pages and its API) says.
public enum JobOutcome: Sendable {
    case released(ReleasedJob)
    case deleted(jobID: Int)
    case refused(jobID: Int, ReleaseError)

    public var succeeded: Bool { if case .refused = self { false } else { true } }

    public var sentence: String {
        switch self {
        case .released(let released): released.description
        case .deleted(let id): "Job \(id) was deleted; nothing was charged."
        case .refused(_, let error): error.sentence
        }
    }
}

extension ReleaseService {
    /// ``release(jobID:by:account:on:via:)``, its result or refusal as a ``JobOutcome``.
    public func releaseOutcome(jobID: Int, by user: String, account: String?, on queue: String? = nil, via: String) -> JobOutcome {
        do throws(ReleaseError) {
            return .released(try release(jobID: jobID, by: user, account: account, on: queue, via: via))
        } catch {
            return .refused(jobID: jobID, error)
        }
    }

    /// ``delete(jobID:by:via:)`` as a ``JobOutcome``.
    public func deleteOutcome(jobID: Int, by user: String, via: String) -> JobOutcome {
        do throws(ReleaseError) {
            try delete(jobID: jobID, by: user, via: via)
            return .deleted(jobID: jobID)
        } catch {
            return .refused(jobID: jobID, error)
        }
    }
}
