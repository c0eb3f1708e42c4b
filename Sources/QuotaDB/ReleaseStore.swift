import Foundation
import Pricing

/// The store's walk-up release half: held jobs, release grants, job history, PIN credentials and
/// the funds preview a station shows before it releases. With ``QuotaStore`` it is everything the
/// programs use, so a second store (PostgreSQL) implements both and no caller names SQLite.
///
/// Failure policies (as ``QuotaStore``'s): every mutating call is one transaction, all or nothing;
/// a grant is written only for a held job whose recorded owner asks, and another user's job is
/// reported like one that does not exist; a grant is taken once, and one older than `maxAge` is
/// ignored; every state change of a held job appends its job event in the same transaction.
public protocol ReleaseStore: Sendable {
    /// What ``QuotaStore/authorize(_:)`` would decide now, reserving nothing.
    func preview(_ request: AuthorizationRequest) throws(QuotaError) -> AuthorizationDecision

    /// Records that the backend held a release-queue job (again, with `reason`, after a refused
    /// grant); a job held again keeps its first hold time and expiry.
    @discardableResult
    func recordHeld(_ job: HeldJob, reason: String?, actor: String) throws(QuotaError) -> HeldJob
    func heldJob(jobKey: String) throws(QuotaError) -> HeldJob?
    /// Held jobs of `owner` (every owner: nil) in `states`, oldest first.
    func heldJobs(owner: String?, states: Set<HeldJobState>) throws(QuotaError) -> [HeldJob]
    /// Jobs still held whose hold ended at or before `date`.
    func expiredHeldJobs(at date: Date) throws(QuotaError) -> [HeldJob]
    /// Lets the job's owner `user` release it once (charged to `account`, or the active one).
    @discardableResult
    func grantRelease(jobKey: String, user: String, account: String?, grantedBy: String) throws(QuotaError) -> ReleaseGrant
    /// Takes (deletes) the job's grant if it is younger than `maxAge`.
    func takeGrant(jobKey: String, maxAge: TimeInterval) throws(QuotaError) -> ReleaseGrant?
    func finishHeldJob(jobKey: String, state: HeldJobState, event: JobEventKind, detail: String, actor: String) throws(QuotaError)
    func moveHeldJob(jobKey: String, to queue: String, actor: String) throws(QuotaError)
    func recordJobEvent(jobKey: String, user: String, kind: JobEventKind, detail: String, actor: String) throws(QuotaError)
    /// The newest `limit` events, of one job and/or one user.
    func jobEvents(jobKey: String?, user: String?, limit: Int) throws(QuotaError) -> [JobEvent]

    /// Sets a user's card number (optional) and PIN hash.
    func setCredential(user: String, cardNumber: String?, pinHash: String) throws(QuotaError)
    func removeCredential(user: String) throws(QuotaError)
    /// The credential whose user name or card number is `identifier` (a user name wins).
    func credential(identifier: String) throws(QuotaError) -> PINCredential?
    /// Every stored PIN hash.
    func pinHashes() throws(QuotaError) -> [String]
    /// Rewrites stored PIN hashes in one transaction (`transform`: the new text, or nil to keep
    /// it); returns how many changed.
    @discardableResult
    func rewritePINHashes(_ transform: (String) -> String?) throws(QuotaError) -> Int
}

extension ReleaseStore {
    /// Held jobs of `owner` still held.
    public func heldJobs(owner: String?) throws(QuotaError) -> [HeldJob] {
        try heldJobs(owner: owner, states: [.held])
    }
}

/// Everything the programs keep: accounts, wallets, the ledger, walk-up release, API clients.
public typealias PrintAccountingStore = QuotaStore & ReleaseStore & APIStore & VoucherStore & NotificationStore & ClientSettingsStore

extension SQLQuotaStore: ReleaseStore {}
