import Foundation
import Pricing
import QuotaDB
import Station

/// The fields of the account form.
enum AccountField: String, Hashable, Sendable {
    case name, code, starts, expires, soft, hard, users, groups
}

/// What an admin typed in the account form, kept as typed so a refused form shows it again.
struct AccountForm: Sendable {
    var name = ""
    var code = ""
    var enabled = true
    var starts = ""
    var expires = ""
    /// `unlimited` or `limited`.
    var allocation = "unlimited"
    var soft = ""
    var hard = ""
    /// `global` or `restricted`.
    var access = "restricted"
    var users = ""
    var groups = ""

    init() {}

    /// The form filled from a stored account and its grants.
    init(_ account: Account, grants: [AccessGrant]) {
        name = account.name
        code = account.code
        enabled = account.isEnabled
        starts = account.startsAt.map { DayText.formatter.string(from: $0) } ?? ""
        expires = DayText.lastDay(account.expiresAt).map { DayText.formatter.string(from: $0) } ?? ""
        switch account.allocation {
        case .unlimited: allocation = "unlimited"
        case .limited(let softLimit, let hardLimit):
            allocation = "limited"
            soft = softLimit.amountText
            hard = hardLimit.amountText
        }
        access = account.access == .globalShared ? "global" : "restricted"
        users = grants.compactMap { if case .user(let name) = $0 { name } else { nil } }.joined(separator: ", ")
        groups = grants.compactMap { if case .group(let name) = $0 { name } else { nil } }.joined(separator: ", ")
    }

    init(_ form: FormData) {
        name = form["name"] ?? ""
        code = form["code"] ?? ""
        enabled = form["enabled"] == "on"
        starts = (form["starts"] ?? "").trimmingCharacters(in: .whitespaces)
        expires = (form["expires"] ?? "").trimmingCharacters(in: .whitespaces)
        allocation = form["allocation"] == "limited" ? "limited" : "unlimited"
        soft = (form["soft"] ?? "").trimmingCharacters(in: .whitespaces)
        hard = (form["hard"] ?? "").trimmingCharacters(in: .whitespaces)
        access = form["access"] == "global" ? "global" : "restricted"
        users = form["users"] ?? ""
        groups = form["groups"] ?? ""
    }

    /// The account the form describes, or an error per field in words the admin acts on.
    func validate(currency: Currency) -> Result<ValidAccount, FieldErrors> {
        var errors = FieldErrors()
        let name = self.name.trimmingCharacters(in: .whitespaces)
        let code = self.code.trimmingCharacters(in: .whitespaces)
        if name.isEmpty { errors[.name] = "Give the account a name: users see it when they choose who pays." }
        else if name.count > 100 { errors[.name] = "Keep the name to 100 characters or fewer." }
        else if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors[.name] = "The name cannot contain control characters."
        }
        if code.isEmpty { errors[.code] = "Give the account a code for reports and the command line, e.g. PHY-101." }
        else if code.count > 64 || code.contains(where: { $0.isWhitespace }) {
            errors[.code] = "Write the code without spaces, in 64 characters or fewer, e.g. PHY-101."
        }
        var startsAt: Date?
        if !starts.isEmpty {
            startsAt = DayText.start(starts)
            if startsAt == nil { errors[.starts] = "Write the first day as YYYY-MM-DD (e.g. 2026-09-01), or leave it empty to start now." }
        }
        var expiresAt: Date?
        if !expires.isEmpty {
            expiresAt = DayText.endOfDay(expires)
            if expiresAt == nil { errors[.expires] = "Write the last day as YYYY-MM-DD (e.g. 2027-06-30), or leave it empty for no end." }
        }
        if let startsAt, let expiresAt, startsAt >= expiresAt {
            errors[.expires] = "The last day must be on or after the first day (\(starts))."
        }
        var allocation = Allocation.unlimited
        if self.allocation == "unlimited", !soft.isEmpty || !hard.isEmpty {
            errors[.hard] = "You chose Unlimited but typed a limit: clear the soft and hard limits, or choose Limited."
        }
        if self.allocation == "limited" {
            let hardLimit = hard.isEmpty ? nil : Self.amount(hard, currency: currency, field: .hard, errors: &errors)
            let softLimit = soft.isEmpty ? hardLimit : Self.amount(soft, currency: currency, field: .soft, errors: &errors)
            if hard.isEmpty { errors[.hard] = "A limited allocation needs a hard limit: the most each user may spend on the account." }
            if let softLimit, let hardLimit, errors[.soft] == nil, errors[.hard] == nil {
                if softLimit.minorUnits > hardLimit.minorUnits {
                    errors[.soft] = "The soft limit (\(softLimit)) must not be above the hard limit (\(hardLimit)): the soft limit warns, the hard limit stops printing."
                } else {
                    allocation = .limited(soft: softLimit, hard: hardLimit)
                }
            }
        }
        let users = Self.names(self.users)
        let groups = Self.names(self.groups)
        if let bad = users.first(where: { $0.count > 256 || $0.contains(where: { $0.isNewline }) }) {
            errors[.users] = "“\(bad)” is not a user name. Separate user names with commas or spaces."
        }
        if let bad = groups.first(where: { $0.count > 256 }) {
            errors[.groups] = "“\(bad)” is not a group name. Separate group names with commas or spaces."
        }
        guard errors.isEmpty else { return .failure(errors) }
        return .success(ValidAccount(name: name, code: code, enabled: enabled, startsAt: startsAt, expiresAt: expiresAt,
                                     allocation: allocation, access: access == "global" ? .globalShared : .usersAndGroups,
                                     users: users, groups: groups))
    }

    static func amount(_ text: String, currency: Currency, field: AccountField, errors: inout FieldErrors) -> Money? {
        let what = field == .soft ? "soft limit" : "hard limit"
        do {
            let money = try Money(parsing: text, currency: currency, unit: .optional)
            if money.minorUnits < 0 {
                errors[field] = "The \(what) cannot be negative."
                return nil
            }
            return money
        } catch {
            errors[field] = "Write the \(what) as an amount such as 50 or 50.00 \(currency.code) (\(error))."
            return nil
        }
    }

    /// Names separated by commas, spaces or new lines, without repeats.
    static func names(_ text: String) -> [String] {
        var seen = Set<String>()
        return text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init).filter { seen.insert($0).inserted }
    }
}

/// A checked account form.
struct ValidAccount: Sendable {
    var name: String
    var code: String
    var enabled: Bool
    var startsAt: Date?
    var expiresAt: Date?
    var allocation: Allocation
    var access: AccountAccess
    var users: [String]
    var groups: [String]

    var grants: Set<AccessGrant> { Set(users.map(AccessGrant.user) + groups.map(AccessGrant.group)) }
}

/// An error message per field.
struct FieldErrors: Error, Sendable {
    var messages: [AccountField: String] = [:]
    /// For the whole form (shown above it).
    var general: String?

    var isEmpty: Bool { messages.isEmpty && general == nil }

    subscript(_ field: AccountField) -> String? {
        get { messages[field] }
        set { messages[field] = newValue }
    }

    /// A store refusal placed next to the field it concerns.
    static func from(_ error: any Error) -> FieldErrors {
        var errors = FieldErrors()
        switch error as? QuotaError {
        case .accountExists(let field, let value)?:
            if field == "code" { errors[.code] = "Another account already has the code “\(value)”: choose another code." }
            else { errors[.name] = "Another account is already called “\(value)”: choose another name." }
        case .invalidUserName(let name)?:
            errors[.users] = "“\(name)” is not a user or group name: names have no spaces or control characters."
        case .invalidAccount(let detail)? where detail.contains("soft limit"):
            errors[.soft] = sentence(error)
        case .invalidAccount(let detail)? where detail.contains("expiry"):
            errors[.expires] = "The last day must be on or after the first day."
        default:
            errors.general = sentence(error)
        }
        return errors
    }
}

extension Money {
    /// The amount without its unit (`12.50`), for a form field.
    var amountText: String {
        let text = description
        guard let space = text.lastIndex(of: " ") else { return text }
        return String(text[..<space])
    }
}
