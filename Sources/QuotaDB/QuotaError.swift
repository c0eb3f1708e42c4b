import Foundation
import Pricing

/// Everything the quota store refuses, with a message a person can act on.
///
/// Failure policy: every operation either completes its whole transaction or throws one of these
/// and leaves the database exactly as it was (SQLite rolls the transaction back).
public enum QuotaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The database file does not exist and the caller did not ask to create it.
    case databaseMissing(path: String)
    /// The file is not a SQLite database, or SQLite found it damaged.
    case corruptDatabase(path: String, detail: String)
    /// The database was written by a newer Tollgate (schema version `found` > `supported`).
    case newerSchema(path: String, found: Int, supported: Int)
    /// Another process kept the database locked for longer than the busy timeout.
    case databaseBusy(path: String, timeoutSeconds: Double)
    /// The database could not be opened or written for another reason (permissions, disk full…).
    case databaseUnavailable(path: String, detail: String)
    /// An amount is in another currency than the one the database keeps.
    case currencyMismatch(expected: String, found: String)
    /// A new database needs to know its site currency.
    case currencyRequired(path: String)
    /// An amount that must be positive (or not negative) is not.
    case invalidAmount(String)
    /// Arithmetic on amounts overflowed 64 bits.
    case amountOverflow(String)
    /// No account with this name or code.
    case accountNotFound(String)
    /// An account with this name or code already exists.
    case accountExists(field: String, value: String)
    /// An account definition is inconsistent (limits, dates, empty name…).
    case invalidAccount(String)
    /// No local group with this name.
    case groupNotFound(String)
    /// The user name is empty or contains characters a user name cannot have.
    case invalidUserName(String)
    /// An API client's or a payment site's name is empty, has a control character or (a site) a `/`.
    case invalidName(of: String, name: String, rule: String)
    /// The user cannot use this account now (disabled, archived, not yet started, expired, no access).
    case accountNotUsable(account: String, user: String, reason: AccountUnusableReason)
    /// No reservation exists for this job key.
    case unknownJob(jobKey: String)
    /// The job was already settled (debited): cancelling it is refused; use a refund.
    case alreadySettled(jobKey: String)
    /// The job's reservation was released (cancelled): it cannot be settled or refunded.
    case alreadyReleased(jobKey: String)
    /// The job is still only reserved: cancel it (or settle it) before refunding.
    case notSettled(jobKey: String)
    /// A settle or refund asks for more than the job holds.
    case exceedsJob(jobKey: String, requested: String, available: String)
    /// A scheduled credit is inconsistent, or does not exist.
    case invalidSchedule(String)
    /// A top-up reference was already used for a different user or amount.
    case referenceConflict(reference: String)
    /// The ledger and the balances disagree; nothing was changed. Run `tollgate check`.
    case ledgerDrift([String])
    /// No held job with this key belongs to this user (another user's job is reported the same way).
    case heldJobNotFound(jobKey: String, user: String)
    /// The job is no longer waiting for release (printed, deleted, expired, or already released).
    case jobNotHeld(jobKey: String, state: HeldJobState)
    /// The card number is already registered to another user.
    case cardInUse(cardNumber: String)
    /// The text is both a user name and a card number: the station could not tell whom it names.
    case ambiguousSignIn(identifier: String)
    /// An API client with this name already exists (names are unique, case-insensitively).
    case apiClientExists(name: String)
    /// No API client with this id (or name).
    case apiClientNotFound(String)
    /// An `Idempotency-Key` was used before for a different request; nothing was done.
    case idempotencyConflict(key: String)
    /// The e-mail address is already another user's.
    case emailInUse(email: String)
    /// The e-mail address is not one a user can have.
    case invalidEmail(String)
    /// No user Tollgate knows by this name.
    case userNotFound(String)
    /// A payment site with this name already exists.
    case paymentSiteExists(name: String)
    /// No payment site with this name.
    case paymentSiteNotFound(String)
    /// No voucher batch with this number.
    case voucherBatchNotFound(Int64)
    /// The code matches no voucher (mistyped or made up).
    case voucherUnknown
    /// The voucher was already redeemed (by `user`, at `at`).
    case voucherUsed(at: Date)
    /// The voucher's batch was voided by an administrator, or expired.
    case voucherNotValid(String)
    /// Too many wrong codes from this user lately: they wait before trying again.
    case voucherAttemptsExceeded(retryAfterSeconds: Int)

    public var description: String {
        switch self {
        case .databaseMissing(let path):
            return "no Tollgate database at \(path): create it with `tollgate db init --currency EUR` (or set TOLLGATE_DB / --db)"
        case .corruptDatabase(let path, let detail):
            return "\(path) is not a usable Tollgate database (\(detail)); restore it from a backup — Tollgate will not write to it"
        case .newerSchema(let path, let found, let supported):
            return "\(path) has schema version \(found), but this Tollgate understands up to \(supported): upgrade Tollgate; the database was not touched"
        case .databaseBusy(let path, let timeout):
            return "\(path) stayed locked by another process for more than \(timeout) s; nothing was written — retry, or look for a stuck tollgate process"
        case .databaseUnavailable(let path, let detail):
            return "cannot use the database \(path): \(detail)"
        case .currencyMismatch(let expected, let found):
            return "amount in \(found), but this database keeps \(expected)"
        case .currencyRequired(let path):
            return "\(path) is a new database: say which currency it keeps (e.g. --currency EUR or --currency points)"
        case .invalidAmount(let detail):
            return "invalid amount: \(detail)"
        case .amountOverflow(let detail):
            return "amount too large to handle exactly: \(detail); nothing was changed"
        case .accountNotFound(let name):
            return "no account named or coded \"\(name)\" (see `tollgate account list --archived`)"
        case .accountExists(let field, let value):
            return "an account with \(field) \"\(value)\" already exists: \(field)s are unique"
        case .invalidAccount(let detail):
            return "invalid account: \(detail)"
        case .groupNotFound(let name):
            return "no Tollgate group named \"\(name)\" (system groups are not edited here; see `tollgate group list`)"
        case .invalidUserName(let name):
            return "\"\(name)\" is not a valid user name"
        case .invalidName(let what, let name, let rule):
            return "\(String(reflecting: name)) is not a valid \(what) name: \(rule)"
        case .accountNotUsable(let account, let user, let reason):
            return "account \"\(account)\" cannot be used by \(user): \(reason)"
        case .unknownJob(let key):
            return "no reservation for job \(key)"
        case .alreadySettled(let key):
            return "job \(key) is already settled (charged); to give money back use a refund"
        case .alreadyReleased(let key):
            return "job \(key) was cancelled and its reservation released; there is nothing to settle or refund"
        case .notSettled(let key):
            return "job \(key) is reserved, not charged yet: cancel it to release its funds instead of refunding"
        case .exceedsJob(let key, let requested, let available):
            return "job \(key): \(requested) requested, but only \(available) is available"
        case .invalidSchedule(let detail):
            return "invalid scheduled credit: \(detail)"
        case .referenceConflict(let reference):
            return "top-up reference \"\(reference)\" was already used for another user or amount; nothing was credited"
        case .ledgerDrift(let problems):
            return "ledger check FAILED (\(problems.count) problem(s)):\n  " + problems.joined(separator: "\n  ")
        case .heldJobNotFound(let key, let user):
            return "\(user) has no held job \(key)"
        case .jobNotHeld(let key, let state):
            return "job \(key) is not waiting for release any more (it is \(state.rawValue))"
        case .cardInUse(let card):
            return "card \(card) is already registered to another user; remove it there first"
        case .ambiguousSignIn(let identifier):
            return "\(identifier) would be both a user name and a card number, so signing in with it would be ambiguous; give the card another number"
        case .apiClientExists(let name):
            return "an API client named \"\(name)\" already exists: revoke it or choose another name"
        case .apiClientNotFound(let id):
            return "no API client \"\(id)\" (see `tollgate api-client list`)"
        case .idempotencyConflict(let key):
            return "Idempotency-Key \"\(key)\" was already used for a different request; nothing was done — use a new key for a new request"
        case .emailInUse(let email):
            return "the e-mail address \(email) is already another user's"
        case .invalidEmail(let email):
            return "\"\(email)\" is not an e-mail address (one @, a name before it, a domain after it, no blanks)"
        case .userNotFound(let name):
            return "no user \"\(name)\" is recorded in Tollgate (`tollgate user add`)"
        case .paymentSiteExists(let name):
            return "a payment site named \"\(name)\" already exists: remove it first to give it a new key"
        case .paymentSiteNotFound(let name):
            return "no payment site \"\(name)\" (see `tollgate payment-site list`)"
        case .voucherBatchNotFound(let id):
            return "no voucher batch \(id) (see `tollgate voucher list`)"
        case .voucherUnknown:
            return "no voucher has this code: check it letter by letter (the wallet is unchanged)"
        case .voucherUsed(let at):
            return "this voucher was already redeemed (\(at)); each code tops up once"
        case .voucherNotValid(let why):
            return "this voucher cannot be redeemed: \(why)"
        case .voucherAttemptsExceeded(let seconds):
            return "too many wrong voucher codes: try again in \(max(1, seconds / 60)) minute(s)"
        }
    }
}

/// Why an account cannot be used by a user right now.
public enum AccountUnusableReason: Hashable, Sendable, Encodable, CustomStringConvertible {
    case disabled
    case archived
    case notStarted(startsAt: Date)
    case expired(expiredAt: Date)
    case noAccess

    public var description: String {
        switch self {
        case .disabled: return "the account is disabled"
        case .archived: return "the account is archived"
        case .notStarted(let at): return "the account opens on \(at)"
        case .expired(let at): return "the account expired on \(at)"
        case .noAccess: return "the user has no access to it (neither listed nor in a listed group)"
        }
    }
}

extension QuotaError {
    /// The errors every engine passes through unchanged: the store's own, and Money's (overflow,
    /// currency). Nil for an engine's own error, which the engine maps.
    public static func mapCommon(_ error: any Error) -> QuotaError? {
        if let error = error as? QuotaError { return error }
        if let error = error as? MoneyError {
            if case .overflow(let op) = error { return .amountOverflow(op) }
            if case .currencyMismatch(let a, let b) = error { return .currencyMismatch(expected: a, found: b) }
            return .invalidAmount(error.description)
        }
        return nil
    }
}
