import Foundation
import Pricing

/// What a ledger row records.
public enum LedgerKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Funds held for a job (balance effect −amount).
    case reserve
    /// A held amount became a charge (balance effect 0: the reserve already took it).
    case debit
    /// A held amount was given back (balance effect +amount).
    case release
    /// An admin or scheduled credit (to a wallet, or lowering usage on an account).
    case credit
    /// Money put in a personal wallet by its owner or an admin.
    case topUp = "top-up"
    /// Part of a settled job given back.
    case refund
    /// A signed correction by an admin.
    case adjustment
}

/// Which balance a ledger row moves.
public enum Destination: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The user's personal wallet.
    case wallet
    /// The user's allocation on an account (name or code).
    case account(String)

    public var description: String {
        switch self {
        case .wallet: return "personal wallet"
        case .account(let name): return "account \(name)"
        }
    }
}

/// One append-only ledger row.
///
/// For a wallet row, `balanceAfter` is the wallet balance; for an account row it is minus the
/// user's usage on the account (so every balance is the running sum of `balanceEffect`).
public struct LedgerEntry: Hashable, Sendable, Encodable {
    public var id: Int64
    public var at: Date
    public var kind: LedgerKind
    public var jobKey: String?
    public var user: String
    /// `nil` for the personal wallet.
    public var account: AccountRef?
    /// The size of the operation (always ≥ 0 except for adjustments and reset-to credits, which are signed).
    public var amount: Money
    /// Signed change of the available balance.
    public var balanceEffect: Money
    public var balanceAfter: Money
    public var reason: String
    public var actor: String
    /// External reference (top-up payment id, schedule period…).
    public var reference: String?
}

/// Which ledger rows to list.
public struct LedgerQuery: Hashable, Sendable {
    public var user: String?
    /// Account name or code; use `walletOnly` for the personal wallet.
    public var account: String?
    public var walletOnly: Bool
    public var jobKey: String?
    public var kinds: Set<LedgerKind>
    public var from: Date?
    public var until: Date?
    public var limit: Int?
    /// Only rows after this id (paging oldest first: the last id of the previous page).
    public var afterID: Int64?
    /// Only rows before this id (paging newest first: the last id of the previous page).
    public var beforeID: Int64?
    /// The newest rows first (with `limit`: the latest ones); oldest first otherwise.
    public var newestFirst: Bool

    public init(user: String? = nil, account: String? = nil, walletOnly: Bool = false, jobKey: String? = nil,
                kinds: Set<LedgerKind> = [], from: Date? = nil, until: Date? = nil, limit: Int? = nil, afterID: Int64? = nil,
                beforeID: Int64? = nil, newestFirst: Bool = false) {
        self.afterID = afterID
        self.beforeID = beforeID
        self.newestFirst = newestFirst
        self.user = user
        self.account = account
        self.walletOnly = walletOnly
        self.jobKey = jobKey
        self.kinds = kinds
        self.from = from
        self.until = until
        self.limit = limit
    }
}

/// How a credit changes a balance.
public enum CreditMode: String, Hashable, Sendable, Codable {
    /// Add the amount (on an account: lower usage by it — Pharos's negative `amount`).
    case add
    /// Set the wallet balance, or the account's remaining allocation, to the amount.
    case resetTo = "reset-to"
}
