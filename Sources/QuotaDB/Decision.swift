import Foundation
import Pricing

/// State of a job's reservation.
public enum ReservationState: String, Hashable, Sendable, Codable {
    /// Funds held; the job has not finished printing.
    case reserved
    /// The held funds became a debit (the job printed).
    case settled
    /// The held funds were given back (the job did not print).
    case released
}

/// The funds held (or debited) for one job, split across the wallet chain.
public struct Reservation: Hashable, Sendable, Encodable {
    /// cupsd's job key (`job-uuid`, or job-id + creation time).
    public var jobKey: String
    public var user: String
    /// The account charged first, if any applied.
    public var account: AccountRef?
    /// The part charged to the account's per-user allocation.
    public var accountPart: Money
    /// The part charged to the user's personal wallet.
    public var walletPart: Money
    public var policy: ChargePolicy
    public var state: ReservationState
    /// Total refunded after settlement (wallet first, then account).
    public var refunded: Money
    public var createdAt: Date
    public var updatedAt: Date

    /// `accountPart + walletPart`.
    public var total: Money { Money(minorUnits: accountPart.minorUnits + walletPart.minorUnits, currency: accountPart.currency) }
    /// `true` when both the account and the wallet pay part of the job.
    public var isSplit: Bool { accountPart.minorUnits != 0 && walletPart.minorUnits != 0 }
}

/// A user's funds on the chain at one moment.
public struct ChainBalances: Hashable, Sendable, Encodable {
    /// The account the chain starts with, if any.
    public var account: AccountBalance?
    /// The personal wallet's balance (held reservations already deducted). May be negative under `positive`/`track`.
    public var wallet: Money
}

/// One user's standing on one account.
public struct AccountBalance: Hashable, Sendable, Encodable {
    public var account: AccountRef
    /// Charged so far (credits lower it; may go below zero after generous credits).
    public var used: Money
    /// `nil` for an unlimited allocation.
    public var softLimit: Money?
    /// `nil` for an unlimited allocation.
    public var hardLimit: Money?
    /// `hardLimit - used`, floored at zero; `nil` for unlimited.
    public var remaining: Money? {
        guard let hardLimit else { return nil }
        return Money(minorUnits: max(0, hardLimit.minorUnits - used.minorUnits), currency: used.currency)
    }
}

/// Something the user should be told although the job was approved.
public enum QuotaWarning: Hashable, Sendable, Encodable, CustomStringConvertible {
    /// Usage on the account is now above its soft limit.
    case softLimitExceeded(account: String, used: Money, softLimit: Money, hardLimit: Money)
    /// The personal wallet is now below zero (allowed by `positive`/`track`).
    case walletNegative(balance: Money)

    public var description: String {
        switch self {
        case .softLimitExceeded(let account, let used, let soft, let hard):
            return "account \(account): \(used) used, above the soft limit of \(soft) (hard limit \(hard))"
        case .walletNegative(let balance):
            return "your personal wallet is below zero (\(balance)); top it up"
        }
    }
}

/// Why a job was refused.
public enum RefusalReason: Hashable, Sendable, Encodable, CustomStringConvertible {
    /// `cover`: the chain cannot pay the whole price.
    case insufficientFunds
    /// `positive`: the chain's balance is zero or below.
    case balanceNotPositive
    /// The job named an account that does not exist.
    case accountNotFound(String)
    /// The job's chosen account, or the user's active account, cannot be used.
    ///
    /// Policy for a lost active account (strict): a user whose active account became unusable
    /// (expired, disabled, archived, access removed) is refused until they or an admin choose
    /// another account; we never silently charge a different budget. `alternatives` lists the
    /// accounts they can choose.
    case accountNotUsable(account: String, reason: AccountUnusableReason, isActiveAccount: Bool, alternatives: [String])

    public var description: String {
        switch self {
        case .insufficientFunds:
            return "not enough funds"
        case .balanceNotPositive:
            return "the balance is not above zero"
        case .accountNotFound(let name):
            return "no account \"\(name)\""
        case .accountNotUsable(let account, let reason, let isActive, let alternatives):
            let which = isActive ? "your active account \"\(account)\"" : "account \"\(account)\""
            let choose = alternatives.isEmpty
                ? "ask an administrator for access to an account, or clear your active account to pay from your wallet"
                : "choose another with `tollgate active set ACCOUNT` (you can use: \(alternatives.joined(separator: ", ")))"
            return "\(which) cannot be used: \(reason); \(choose)"
        }
    }
}

/// A refused job: enough to build the message the user sees.
public struct Refusal: Hashable, Sendable, Encodable, CustomStringConvertible {
    public var jobKey: String
    public var user: String
    public var price: Money
    public var policy: ChargePolicy
    public var reason: RefusalReason
    /// What the user must add for this job to pass (`nil` when money is not the problem).
    public var shortfall: Money?
    public var balances: ChainBalances

    public var description: String {
        var text = "job \(jobKey) for \(user) refused: \(reason) (price \(price)"
        if let account = balances.account {
            if let remaining = account.remaining {
                text += ", \(remaining) left on account \(account.account.name)"
            } else {
                text += ", account \(account.account.name)"
            }
        }
        text += ", wallet \(balances.wallet))"
        if let shortfall { text += "; top up at least \(shortfall)" }
        return text
    }
}

/// An approved job: the reservation, how it is split, and what to tell the user.
public struct Approval: Hashable, Sendable, Encodable {
    public var reservation: Reservation
    /// `true` when this job key was already authorised: the existing reservation is returned, nothing new is charged.
    public var isRepeat: Bool
    public var warnings: [QuotaWarning]
    /// Balances after the reservation.
    public var balances: ChainBalances
}

/// The answer to ``QuotaStore/authorize(_:)``.
public enum AuthorizationDecision: Hashable, Sendable, Encodable {
    case approved(Approval)
    case refused(Refusal)

    public var isApproved: Bool { if case .approved = self { true } else { false } }
    public var approval: Approval? { if case .approved(let a) = self { a } else { nil } }
    public var refusal: Refusal? { if case .refused(let r) = self { r } else { nil } }
}

/// Everything `authorize` needs to know about a job.
public struct AuthorizationRequest: Hashable, Sendable {
    /// cupsd's job key; the idempotency key of every call for this job.
    public var jobKey: String
    public var user: String
    /// The quote's total (rounded once), in the site currency; zero or more.
    public var amount: Money
    public var policy: ChargePolicy
    /// The account the job itself asks for (name or code), overriding the active account.
    public var account: String?
    /// Who asks (`backend`, an admin name…), written to the ledger.
    public var actor: String
    /// The queue the job prints on and the application that made it, kept with the reservation
    /// for reports (usage by queue, by application).
    public var queue: String?
    public var application: String?

    public init(jobKey: String, user: String, amount: Money, policy: ChargePolicy, account: String? = nil, actor: String = "backend",
                queue: String? = nil, application: String? = nil) {
        self.queue = queue
        self.application = application
        self.jobKey = jobKey
        self.user = user
        self.amount = amount
        self.policy = policy
        self.account = account
        self.actor = actor
    }
}

/// The answer to ``QuotaStore/cancel(jobKey:actor:)``.
public enum CancelOutcome: Hashable, Sendable, Encodable {
    /// The reservation was released now (its funds are back).
    case released(Reservation)
    /// It was already released earlier: nothing changed.
    case alreadyReleased(Reservation)
    /// No reservation exists for the job (it was refused or never authorised): nothing changed.
    case nothingReserved
}
