import Foundation
import Pricing
import QuotaDB

// The API's JSON bodies. Amounts are Money's JSON: `{"minorUnits": 9000, "currency": "points",
// "text": "9000 points"}` (exact: an integer count of the currency's minor units).

/// An account as the API shows it.
struct AccountJSON: Encodable {
    var id: Int64
    var name: String
    var code: String
    var enabled: Bool
    var archived: Bool
    var startsAt: Date?
    var expiresAt: Date?
    /// `global` (every user) or `restricted` (listed users and groups).
    var access: String
    /// `unlimited`, or `limited` with `softLimit` and `hardLimit` per user.
    var allocation: String
    var softLimit: Money?
    var hardLimit: Money?
    var createdAt: Date

    init(_ account: Account) {
        id = account.id
        name = account.name
        code = account.code
        enabled = account.isEnabled
        archived = account.isArchived
        startsAt = account.startsAt
        expiresAt = account.expiresAt
        access = account.access.rawValue
        switch account.allocation {
        case .unlimited:
            allocation = "unlimited"
        case .limited(let soft, let hard):
            allocation = "limited"
            softLimit = soft
            hardLimit = hard
        }
        createdAt = account.createdAt
    }
}

/// An account named in another answer.
struct AccountSummary: Encodable {
    var id: Int64
    var name: String
    var code: String

    init(_ account: Account) { (id, name, code) = (account.id, account.name, account.code) }
    init(_ ref: AccountRef) { (id, name, code) = (ref.id, ref.name, ref.code) }
}

/// A user's usage on one account: Pharos's "90 of 200 points used".
struct BalanceJSON: Encodable {
    var account: AccountSummary
    var used: Money
    var softLimit: Money?
    var hardLimit: Money?
    /// `hardLimit − used`, at least zero; absent when unlimited.
    var remaining: Money?

    init(_ balance: AccountBalance) {
        account = AccountSummary(balance.account)
        used = balance.used
        softLimit = balance.softLimit
        hardLimit = balance.hardLimit
        remaining = balance.remaining
    }
}

/// One ledger row.
struct LedgerEntryJSON: Encodable {
    var id: Int64
    var at: Date
    var kind: String
    var jobKey: String?
    var user: String
    /// Absent for the personal wallet.
    var account: AccountSummary?
    var amount: Money
    var balanceEffect: Money
    var balanceAfter: Money
    var reason: String
    var actor: String
    var reference: String?

    init(_ entry: LedgerEntry) {
        id = entry.id
        at = entry.at
        kind = entry.kind.rawValue
        jobKey = entry.jobKey
        user = entry.user
        account = entry.account.map(AccountSummary.init)
        amount = entry.amount
        balanceEffect = entry.balanceEffect
        balanceAfter = entry.balanceAfter
        reason = entry.reason
        actor = entry.actor
        reference = entry.reference
    }
}

/// A user with their wallet and usage on every account they used or may use.
struct UserBalancesJSON: Encodable {
    var user: String
    var email: String?
    var wallet: Money
    var reserved: Money
    var activeAccount: AccountSummary?
    var accounts: [BalanceJSON]
}

/// One page of a list, with the cursor of the next (`null` on the last page).
struct Page<Item: Encodable>: Encodable {
    var items: [Item]
    var next: String?
}
