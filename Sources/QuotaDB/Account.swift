import Foundation
import Pricing

/// A database identifier of an account.
public typealias AccountID = Int64

/// A Pharos-style billing account: a budget centre jobs are charged to.
///
/// Each user with access gets their own allocation on the account (Pharos: "if the Math account
/// gets 100 points, each user in that account has 100 points").
public struct Account: Hashable, Sendable, Codable {
    public var id: AccountID
    /// Unique (case-insensitive) name shown to users.
    public var name: String
    /// Unique (case-insensitive) code for internal identification.
    public var code: String
    /// A disabled account cannot be charged; it stays visible.
    public var isEnabled: Bool
    /// Usable from this instant on (inclusive), if set.
    public var startsAt: Date?
    /// Usable until this instant (exclusive), if set. Expired accounts are kept for reports.
    public var expiresAt: Date?
    /// Archived accounts are hidden from users and cannot be charged; admins can list them.
    public var isArchived: Bool
    /// Who may use the account.
    public var access: AccountAccess
    /// What each user may spend on it.
    public var allocation: Allocation
    public var createdAt: Date

    /// Whether the account can be charged at `now`, ignoring who asks.
    public func unusableReason(at now: Date) -> AccountUnusableReason? {
        if isArchived { return .archived }
        if !isEnabled { return .disabled }
        if let startsAt, now < startsAt { return .notStarted(startsAt: startsAt) }
        if let expiresAt, now >= expiresAt { return .expired(expiredAt: expiresAt) }
        return nil
    }
}

/// Who may use an account.
public enum AccountAccess: String, Hashable, Sendable, Codable {
    /// Every user (Pharos "Global Shared").
    case globalShared = "global"
    /// Only the listed users and members of the listed groups (Pharos "Access by Users and Groups").
    case usersAndGroups = "restricted"
}

/// A per-user allocation on an account, in the site currency.
public enum Allocation: Hashable, Sendable {
    /// No limit: the account covers every job.
    case unlimited
    /// Usage above `soft` warns the user; usage never goes above `hard` (enforced).
    case limited(soft: Money, hard: Money)
}

extension Allocation: Codable {
    private enum CodingKeys: String, CodingKey { case kind, softMinorUnits, hardMinorUnits, currency }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .unlimited:
            try c.encode("unlimited", forKey: .kind)
        case .limited(let soft, let hard):
            try c.encode("limited", forKey: .kind)
            try c.encode(soft.minorUnits, forKey: .softMinorUnits)
            try c.encode(hard.minorUnits, forKey: .hardMinorUnits)
            try c.encode(hard.currency.code, forKey: .currency)
        }
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if try c.decode(String.self, forKey: .kind) == "unlimited" { self = .unlimited; return }
        let code = try c.decode(String.self, forKey: .currency)
        let currency = Currency.wellKnown(code: code) ?? .points
        self = .limited(soft: Money(minorUnits: try c.decode(Int64.self, forKey: .softMinorUnits), currency: currency),
                        hard: Money(minorUnits: try c.decode(Int64.self, forKey: .hardMinorUnits), currency: currency))
    }
}

extension Money: Encodable {
    /// Encodes as `{"minorUnits": 105, "currency": "EUR", "text": "1.05 EUR"}` (for `--json`).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: MoneyCodingKeys.self)
        try c.encode(minorUnits, forKey: .minorUnits)
        try c.encode(currency.code, forKey: .currency)
        try c.encode(description, forKey: .text)
    }
}

private enum MoneyCodingKeys: String, CodingKey { case minorUnits, currency, text }

/// What an admin fills in to create an account.
public struct NewAccount: Hashable, Sendable {
    public var name: String
    public var code: String
    public var isEnabled: Bool
    public var startsAt: Date?
    public var expiresAt: Date?
    public var access: AccountAccess
    public var allocation: Allocation

    public init(name: String, code: String, isEnabled: Bool = true, startsAt: Date? = nil, expiresAt: Date? = nil,
                access: AccountAccess = .usersAndGroups, allocation: Allocation = .unlimited) {
        self.name = name
        self.code = code
        self.isEnabled = isEnabled
        self.startsAt = startsAt
        self.expiresAt = expiresAt
        self.access = access
        self.allocation = allocation
    }
}

/// A change to an account: `nil` fields stay as they are. Dates use `.some(nil)` to clear.
public struct AccountChanges: Hashable, Sendable {
    public var name: String?
    public var code: String?
    public var isEnabled: Bool?
    public var startsAt: Date??
    public var expiresAt: Date??
    public var isArchived: Bool?
    public var access: AccountAccess?
    public var allocation: Allocation?

    public init(name: String? = nil, code: String? = nil, isEnabled: Bool? = nil, startsAt: Date?? = nil,
                expiresAt: Date?? = nil, isArchived: Bool? = nil, access: AccountAccess? = nil,
                allocation: Allocation? = nil) {
        self.name = name
        self.code = code
        self.isEnabled = isEnabled
        self.startsAt = startsAt
        self.expiresAt = expiresAt
        self.isArchived = isArchived
        self.access = access
        self.allocation = allocation
    }
}

/// A user or a group granted access to a restricted account.
public enum AccessGrant: Hashable, Sendable, Codable {
    case user(String)
    case group(String)
}

/// A short reference to an account, as decisions and ledger rows carry it.
public struct AccountRef: Hashable, Sendable, Codable, CustomStringConvertible {
    public var id: AccountID
    public var name: String
    public var code: String
    public var description: String { name }
}
