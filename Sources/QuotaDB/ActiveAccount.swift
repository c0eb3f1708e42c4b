import Foundation
import Pricing

/// Who set a user's active account.
public enum ActiveAccountSetter: String, Hashable, Sendable, Codable {
    /// The last job that used an account (the "most recently used" rule).
    case job
    case user
    case admin
}

/// What a user's next job is charged to.
public struct ActiveAccount: Hashable, Sendable, Encodable {
    /// How the active account was determined.
    public enum Source: Hashable, Sendable, Encodable {
        /// Never chosen: the first usable account alphabetically (Pharos's initial rule).
        case initial
        /// Chosen (or most recently used) at `at` by `by`.
        case chosen(by: ActiveAccountSetter, at: Date)
    }

    /// `nil`: jobs are paid from the personal wallet only.
    public var account: Account?
    public var source: Source
    /// Set when the chosen account can no longer be used: jobs are refused until another is chosen (strict policy).
    public var unusable: AccountUnusableReason?
}

/// A user's standing: the active account's allocation and the personal wallet.
public struct UserBalances: Hashable, Sendable, Encodable {
    public var user: String
    public var active: ActiveAccount
    /// Usage on every account the user has used or can use.
    public var accounts: [AccountBalance]
    public var wallet: Money
    /// Held for jobs not yet settled (already deducted from the balances above).
    public var reserved: Money
}
