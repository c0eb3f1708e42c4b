import ArgumentParser
import Foundation
import Pricing
import QuotaDB

/// `tollgate account …`: billing accounts (Pharos Account Management).
struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Manage billing accounts: add, list, show, edit, enable/disable, archive, access.",
        subcommands: [Add.self, List.self, Show.self, Edit.self, Enable.self, Disable.self, Archive.self, Unarchive.self, Access.self]
    )

    /// `--unlimited` or `--soft X --hard Y`.
    struct AllocationOptions: ParsableArguments {
        @Flag(help: "No per-user limit.")
        var unlimited = false
        @Option(help: ArgumentHelp("Per-user soft limit: usage above it warns the user.", valueName: "amount"))
        var soft: String?
        @Option(help: ArgumentHelp("Per-user hard limit: usage never goes above it.", valueName: "amount"))
        var hard: String?

        func allocation(_ store: any QuotaStore) throws -> Allocation? {
            if unlimited {
                guard soft == nil, hard == nil else { throw ValidationError("--unlimited cannot be combined with --soft/--hard") }
                return .unlimited
            }
            switch (soft, hard) {
            case (nil, nil): return nil
            case (let soft?, let hard?):
                return .limited(soft: try store.amount(soft, what: "--soft"), hard: try store.amount(hard, what: "--hard"))
            case (nil, let hard?):
                let h = try store.amount(hard, what: "--hard")
                return .limited(soft: h, hard: h)
            case (_?, nil):
                throw ValidationError("--soft needs --hard (the hard limit is what is enforced)")
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Unique name shown to users.") var name: String
        @Option(help: "Unique code for internal identification.") var code: String
        @Flag(help: "Create it disabled.") var disabled = false
        @Option(help: ArgumentHelp("First day it can be used (YYYY-MM-DD or ISO 8601).", valueName: "date")) var starts: String?
        @Option(help: ArgumentHelp("Last day it can be used (YYYY-MM-DD: through that day).", valueName: "date")) var expires: String?
        @Flag(help: "Global Shared: every user may use it (default: only granted users and groups).") var global = false
        @OptionGroup var limits: AllocationOptions

        func run() throws {
            let db = try store.open()
            let account = try db.addAccount(NewAccount(
                name: name, code: code, isEnabled: !disabled,
                startsAt: try starts.map { try DateArgument.parse($0, what: "--starts") },
                expiresAt: try expires.map { try DateArgument.endOfDay($0, what: "--expires") },
                access: global ? .globalShared : .usersAndGroups,
                allocation: try limits.allocation(db) ?? .unlimited))
            print("added account \(account.name) (code \(account.code), \(Output.allocation(account.allocation)), \(account.access == .globalShared ? "global shared" : "users and groups"))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts (archived ones with --archived).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Include archived accounts.") var archived = false
        @Option(help: ArgumentHelp("Only the accounts this user can see.", valueName: "user")) var user: String?

        func run() throws {
            let db = try store.open()
            let accounts = try user.map { try db.visibleAccounts(for: $0) } ?? db.accounts(includeArchived: archived)
            if output.json { return try Output.json(accounts) }
            let now = Date()
            Output.table(["NAME", "CODE", "STATUS", "ACCESS", "ALLOCATION", "STARTS", "EXPIRES"], accounts.map { a in
                [a.name, a.code, a.unusableReason(at: now).map { "\($0)".replacingOccurrences(of: "the account ", with: "") } ?? "usable",
                 a.access == .globalShared ? "global" : "restricted", Output.allocation(a.allocation),
                 Output.date(a.startsAt), Output.date(a.expiresAt)]
            })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one account, its grants and its users' usage.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Account name or code.") var account: String

        struct Details: Encodable { var account: Account; var grants: [AccessGrant]; var usage: [UsageReportRow] }

        func run() throws {
            let db = try store.open()
            let found = try db.account(account)
            let details = Details(account: found, grants: try db.grants(of: found.name),
                                  usage: try db.usageReport(UsageReportQuery(grouping: .userAndAccount, account: found.name)))
            if output.json { return try Output.json(details) }
            print("name:        \(found.name)")
            print("code:        \(found.code)")
            print("status:      \(found.unusableReason(at: Date()).map(String.init(describing:)) ?? "usable")")
            print("enabled:     \(found.isEnabled ? "yes" : "no")   archived: \(found.isArchived ? "yes" : "no")")
            print("starts:      \(Output.date(found.startsAt))   expires: \(Output.date(found.expiresAt))")
            print("allocation:  \(Output.allocation(found.allocation)) per user")
            print("access:      \(found.access == .globalShared ? "global shared" : "users and groups")")
            for grant in details.grants {
                switch grant {
                case .user(let name): print("  user  \(name)")
                case .group(let name): print("  group \(name)")
                }
            }
            if !details.usage.isEmpty {
                print("usage:")
                Output.table(["USER", "JOBS", "CHARGED", "REFUNDED", "CREDITED"], details.usage.map {
                    [$0.user ?? "-", String($0.jobs), $0.charged.description, $0.refunded.description, $0.credited.description]
                })
            }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an account's name, code, dates or allocation.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Account name or code.") var account: String
        @Option(help: "New name.") var name: String?
        @Option(help: "New code.") var code: String?
        @Option(help: ArgumentHelp("New start date, or 'none'.", valueName: "date")) var starts: String?
        @Option(help: ArgumentHelp("New expiry date (last usable day), or 'none'.", valueName: "date")) var expires: String?
        @OptionGroup var limits: AllocationOptions

        func run() throws {
            let db = try store.open()
            var changes = AccountChanges(name: name, code: code, allocation: try limits.allocation(db))
            if let starts { changes.startsAt = .some(starts == "none" ? nil : try DateArgument.parse(starts, what: "--starts")) }
            if let expires { changes.expiresAt = .some(expires == "none" ? nil : try DateArgument.endOfDay(expires, what: "--expires")) }
            let edited = try db.editAccount(account, changes)
            print("updated account \(edited.name) (code \(edited.code), \(Output.allocation(edited.allocation)))")
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable an account.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Account name or code.") var account: String
        func run() throws { print("enabled \(try store.open().editAccount(account, AccountChanges(isEnabled: true)).name)") }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account (jobs charged to it are refused).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Account name or code.") var account: String
        func run() throws { print("disabled \(try store.open().editAccount(account, AccountChanges(isEnabled: false)).name)") }
    }

    struct Archive: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Archive an account: hidden from users, kept for reports.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Account name or code.") var account: String
        func run() throws { print("archived \(try store.open().editAccount(account, AccountChanges(isArchived: true)).name)") }
    }

    struct Unarchive: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bring an archived account back.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Account name or code.") var account: String
        func run() throws { print("unarchived \(try store.open().editAccount(account, AccountChanges(isArchived: false)).name)") }
    }

    struct Access: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who may use an account: global shared, or granted users and groups (local or system groups).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Account name or code.") var account: String
        @Flag(help: "Make it Global Shared.") var global = false
        @Flag(help: "Restrict it to granted users and groups.") var restricted = false
        @Option(name: .customLong("add-user"), help: ArgumentHelp("Grant a user.", valueName: "user")) var addUsers: [String] = []
        @Option(name: .customLong("remove-user"), help: ArgumentHelp("Revoke a user.", valueName: "user")) var removeUsers: [String] = []
        @Option(name: .customLong("add-group"), help: ArgumentHelp("Grant a group (local or system).", valueName: "group")) var addGroups: [String] = []
        @Option(name: .customLong("remove-group"), help: ArgumentHelp("Revoke a group.", valueName: "group")) var removeGroups: [String] = []

        func validate() throws {
            if global && restricted { throw ValidationError("choose --global or --restricted, not both") }
        }

        func run() throws {
            let db = try store.open()
            if global || restricted {
                _ = try db.editAccount(account, AccountChanges(access: global ? .globalShared : .usersAndGroups))
            }
            for user in addUsers { try db.grant(.user(user), on: account) }
            for user in removeUsers { try db.revoke(.user(user), on: account) }
            for group in addGroups { try db.grant(.group(group), on: account) }
            for group in removeGroups { try db.revoke(.group(group), on: account) }
            let found = try db.account(account)
            print("\(found.name): \(found.access == .globalShared ? "global shared" : "users and groups")")
            for grant in try db.grants(of: account) {
                switch grant {
                case .user(let name): print("  user  \(name)")
                case .group(let name): print("  group \(name)")
                }
            }
        }
    }
}
