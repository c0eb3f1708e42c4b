import Foundation
import Pricing

// Failure policies of the quota store, in one place (each is also stated where it is implemented):
//
// - Atomicity: every mutating call is one `BEGIN IMMEDIATE` transaction; any error rolls it back,
//   so a caller never sees half a reservation, half a split or a balance without its ledger row.
// - Busy database: after the busy timeout the call throws `QuotaError.databaseBusy` and nothing is
//   written. The backend must then hold the job (never print for free).
// - Damaged, foreign, empty or newer-schema file: refused at open with a typed error, never written.
// - Idempotency by job key: authorize (reserved/settled → the same reservation, nothing charged),
//   settle (twice = once), cancel (twice = once; after settle → `alreadySettled`, use refund),
//   refund (the amount is the job's total refund: repeating it refunds nothing more). After a
//   cancel, authorize reserves again: the earlier funds were given back.
// - Lost active account (strict): jobs are refused with the reason and the accounts the user can
//   choose; another account is never charged silently.
// - Hard limit: never exceeded by a reservation, under any policy; what an account cannot pay goes
//   to the personal wallet (which only `positive` and `track` may take below zero).
// - Scheduled credits: a (schedule, period, user) is applied at most once; missed periods are
//   reported, and applied only on request (`catchUp`) and only for `add` schedules.
// - Group lookups through NSS that fail deny access; they never grant it.

/// The quota store's operations: the one seam where a PostgreSQL store can replace SQLite.
///
/// Every mutating call is atomic (all or nothing) and the job calls are idempotent by job key.
public protocol QuotaStore: Sendable {
    /// The currency every amount is in.
    var currency: Currency { get }
    /// Where the data is, for messages (a file path; never a password).
    var locationDescription: String { get }

    // MARK: Jobs (the backend)

    /// Reserves the job's price on the wallet chain (active or chosen account's allocation first,
    /// then the personal wallet), or says why not.
    ///
    /// Idempotent: a repeated call for a job key that is reserved or settled returns the existing
    /// reservation with `isRepeat == true` and charges nothing. After a cancel (released), a new
    /// call reserves again (the earlier funds were given back).
    func authorize(_ request: AuthorizationRequest) throws(QuotaError) -> AuthorizationDecision

    /// Turns the job's reservation into a debit. `amount` (≤ reserved) settles less and releases
    /// the rest; `nil` settles everything. Settling twice does nothing the second time.
    /// Throws ``QuotaError/alreadyReleased(jobKey:)`` for a cancelled job and
    /// ``QuotaError/unknownJob(jobKey:)`` for a job never approved.
    @discardableResult
    func settle(jobKey: String, amount: Money?, actor: String) throws(QuotaError) -> Reservation

    /// Releases the job's reservation (its funds come back). Idempotent; a settled job is
    /// refused with ``QuotaError/alreadySettled(jobKey:)`` (use ``refund(jobKey:amount:reason:actor:)``).
    @discardableResult
    func cancel(jobKey: String, actor: String) throws(QuotaError) -> CancelOutcome

    /// Gives back part of a settled job so that its total refunded becomes `amount` (a target,
    /// not an increment: repeating the call changes nothing; a smaller amount than already
    /// refunded changes nothing). The wallet part is refunded first, then the account part.
    @discardableResult
    func refund(jobKey: String, amount: Money, reason: String, actor: String) throws(QuotaError) -> Reservation

    /// The job's reservation, if any.
    func reservation(jobKey: String) throws(QuotaError) -> Reservation?

    /// Records that the printer has confirmed `amount` of the job's reserved price (`evidence`
    /// says how), while the job still prints; only ever raised, at most the reserved total.
    func recordDelivery(jobKey: String, amount: Money, evidence: String) throws(QuotaError)

    /// What the printer had confirmed of an open reservation (nil: nothing), and how.
    func delivery(jobKey: String) throws(QuotaError) -> (amount: Money, evidence: String)?

    // MARK: Accounts

    func addAccount(_ account: NewAccount) throws(QuotaError) -> Account
    func editAccount(_ nameOrCode: String, _ changes: AccountChanges) throws(QuotaError) -> Account
    func account(_ nameOrCode: String) throws(QuotaError) -> Account
    /// Accounts sorted by name; archived ones only when `includeArchived` (admins).
    func accounts(includeArchived: Bool) throws(QuotaError) -> [Account]
    func grants(of nameOrCode: String) throws(QuotaError) -> [AccessGrant]
    func grant(_ grant: AccessGrant, on nameOrCode: String) throws(QuotaError)
    func revoke(_ grant: AccessGrant, on nameOrCode: String) throws(QuotaError)
    /// The accounts `user` can charge now (usable and accessible, never archived), by name.
    func usableAccounts(for user: String) throws(QuotaError) -> [Account]
    /// The accounts `user` can see: accessible and not archived, usable or not (expired ones show as such).
    func visibleAccounts(for user: String) throws(QuotaError) -> [Account]

    // MARK: Groups kept in the database

    func addGroup(_ name: String) throws(QuotaError)
    func removeGroup(_ name: String) throws(QuotaError)
    func addMember(_ user: String, toGroup group: String) throws(QuotaError)
    func removeMember(_ user: String, fromGroup group: String) throws(QuotaError)
    /// Local groups with their members.
    func groups() throws(QuotaError) -> [String: [String]]

    // MARK: Users

    /// Records a user (idempotent), so that they have a wallet and count for "everyone".
    func addUser(_ name: String) throws(QuotaError)
    func users() throws(QuotaError) -> [String]
    /// What the user's next job would be charged to.
    func activeAccount(for user: String) throws(QuotaError) -> ActiveAccount
    /// Sets (or with `nil`, clears) the user's active account. The account must be usable by the user.
    func setActiveAccount(_ nameOrCode: String?, for user: String, by actor: ActiveAccountSetter) throws(QuotaError) -> ActiveAccount
    /// The user's chain balances (active account, if any, and wallet).
    func balances(for user: String) throws(QuotaError) -> UserBalances

    // MARK: Money in

    /// Tops up a personal wallet. Idempotent by `reference` (a payment id): the same reference,
    /// user and amount again returns the first entry; a conflicting reuse is refused.
    @discardableResult
    func topUp(user: String, amount: Money, reference: String?, actor: String) throws(QuotaError) -> LedgerEntry

    /// A manual credit to the wallet or an account allocation (`add`, or `resetTo`).
    @discardableResult
    func credit(user: String, to destination: Destination, amount: Money, mode: CreditMode,
                reason: String, actor: String) throws(QuotaError) -> LedgerEntry

    /// A signed correction by an admin (may make a balance negative).
    @discardableResult
    func adjust(user: String, on destination: Destination, by delta: Money, reason: String, actor: String) throws(QuotaError) -> LedgerEntry

    // MARK: Scheduled credits

    func addSchedule(_ schedule: NewScheduledCredit) throws(QuotaError) -> ScheduledCredit
    func schedules() throws(QuotaError) -> [ScheduledCredit]
    func setScheduleEnabled(_ name: String, _ enabled: Bool) throws(QuotaError)
    /// Applies every due period of every enabled schedule at the store's clock. See ``ScheduleRunPolicy``.
    func runSchedules(catchUp: Bool, actor: String) throws(QuotaError) -> ScheduleRunReport

    // MARK: Ledger and reports

    func ledger(_ query: LedgerQuery) throws(QuotaError) -> [LedgerEntry]
    /// How many rows ``ledger(_:)`` would list without its limit.
    func ledgerCount(_ query: LedgerQuery) throws(QuotaError) -> Int
    /// Spending per user, per account, or per (user, account) over a period.
    func usageReport(_ query: UsageReportQuery) throws(QuotaError) -> [UsageReportRow]
    /// Re-derives every balance from the ledger and checks the invariants; never writes.
    func verify() throws(QuotaError) -> CheckReport
}

extension QuotaStore {
    /// ``verify()``, throwing ``QuotaError/ledgerDrift(_:)`` when anything is wrong.
    public func check() throws(QuotaError) -> CheckReport {
        let report = try verify()
        guard report.problems.isEmpty else { throw .ledgerDrift(report.problems) }
        return report
    }
}
