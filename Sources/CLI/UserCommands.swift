import ArgumentParser
import Foundation
import Pricing
import QuotaDB
import Release

/// `tollgate user …`: users, their wallets and allocations.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Users: add, edit, list, show balances.",
        subcommands: [Add.self, Edit.self, List.self, Show.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a user (a wallet at zero; counted in 'everyone' schedules).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "User names.") var names: [String]
        func run() throws {
            let db = try store.open()
            for name in names { try db.addUser(name) }
            print("recorded \(names.joined(separator: ", "))")
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a user's properties (records the user if new).",
            discussion: "The e-mail address is how the Accounts API (Pharos's useremail) finds the user; tollgated's --email-domain covers users without one.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "User name.") var user: String
        @Option(help: "E-mail address (unique among users); \"none\" removes it.") var email: String?
        @Option(help: ArgumentHelp("Mail about their jobs and money: on or off (the user can change it at the portal).", valueName: "on|off"))
        var notify: String?
        func validate() throws {
            if email == nil && notify == nil { throw ValidationError("nothing to change: give --email ADDRESS (or --email none) or --notify on|off") }
            if let notify, notify != "on" && notify != "off" { throw ValidationError("--notify must be on or off") }
        }
        func run() throws {
            let db = try store.open()
            if let email {
                let address = email == "none" ? nil : email
                try db.setEmail(address, for: user)
                print("\(user): e-mail \(address ?? "none")")
            }
            if let notify {
                try db.setNotifications(notify == "on", for: user)
                print("\(user): mail about jobs \(notify)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users with their wallet balance.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        func run() throws {
            let db = try store.open()
            let balances = try db.users().map { try db.balances(for: $0) }
            if output.json { return try Output.json(balances) }
            Output.table(["USER", "WALLET", "RESERVED", "ACTIVE ACCOUNT"], balances.map {
                [$0.user, $0.wallet.description, $0.reserved.description, ActiveCommand.describe($0.active)]
            })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A user's wallet, active account and allocations.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "User name.") var user: String
        func run() throws {
            let db = try store.open()
            let balances = try db.balances(for: user)
            if output.json { return try Output.json(balances) }
            print("user:           \(balances.user)")
            if let email = try db.email(of: user) { print("e-mail:         \(email)") }
            print("wallet:         \(balances.wallet)")
            print("reserved:       \(balances.reserved) (held for jobs not yet finished)")
            print("active account: \(ActiveCommand.describe(balances.active))")
            if !balances.accounts.isEmpty {
                Output.table(["ACCOUNT", "USED", "SOFT", "HARD", "REMAINING"], balances.accounts.map {
                    [$0.account.name, $0.used.description, $0.softLimit?.description ?? "-", $0.hardLimit?.description ?? "unlimited",
                     $0.remaining?.description ?? "unlimited"]
                })
            }
        }
    }
}

/// `tollgate group …`: groups kept in the database (system groups come from NSS).
struct GroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "Groups kept in the Tollgate database (system groups are read through NSS and not edited here).",
        subcommands: [Add.self, Remove.self, List.self, AddMember.self, RemoveMember.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a local group.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() throws { try store.open().addGroup(name); print("added group \(name)") }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a local group and its memberships.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() throws { try store.open().removeGroup(name); print("removed group \(name)") }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List local groups and their members.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        func run() throws {
            let groups = try store.open().groups()
            if output.json { return try Output.json(groups) }
            Output.table(["GROUP", "MEMBERS"], groups.keys.sorted().map { [$0, groups[$0]!.joined(separator: ", ")] })
        }
    }

    struct AddMember: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-member", abstract: "Add users to a local group.")
        @OptionGroup var store: StoreOptions
        @Argument var group: String
        @Argument var users: [String]
        func run() throws {
            let db = try store.open()
            for user in users { try db.addMember(user, toGroup: group) }
            print("\(group): added \(users.joined(separator: ", "))")
        }
    }

    struct RemoveMember: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-member", abstract: "Remove users from a local group.")
        @OptionGroup var store: StoreOptions
        @Argument var group: String
        @Argument var users: [String]
        func run() throws {
            let db = try store.open()
            for user in users { try db.removeMember(user, fromGroup: group) }
            print("\(group): removed \(users.joined(separator: ", "))")
        }
    }
}

/// `tollgate active …`: the account a user's next jobs are charged to.
struct ActiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "active",
        abstract: "Show or set the active account (the account jobs are charged to before the personal wallet).",
        subcommands: [Show.self, SetActive.self],
        defaultSubcommand: Show.self
    )

    /// Whether this process can write the database (an administrator); users at a terminal go
    /// through tollgated's local socket instead, which knows them by their Unix user id. A
    /// SQLite file: its mode says. PostgreSQL: the database does, by the role its credentials
    /// name (passfile, certificate, peer), so whoever names it acts directly and is refused
    /// there if that role may not write.
    static func canWrite(_ store: StoreOptions) -> Bool {
        let location = DatabaseLocation.resolve(explicit: store.databasePath)
        return location.isPostgreSQL || access(location.path, W_OK) == 0
    }

    static func client(_ socketPath: String?) -> LocalReleaseClient {
        LocalReleaseClient(path: socketPath ?? ProcessInfo.processInfo.environment["TOLLGATE_SOCKET"] ?? LocalReleaseSocket.defaultPath)
    }

    static func describe(_ active: ActiveAccount) -> String {
        guard let account = active.account else { return "none (personal wallet only)" }
        var text = account.name
        switch active.source {
        case .initial: text += " (initial: first usable alphabetically)"
        case .chosen(let by, let at): text += " (set by \(by.rawValue) \(Output.date(at)))"
        }
        if let problem = active.unusable { text += " — CANNOT BE USED: \(problem); jobs are refused until another is chosen" }
        return text
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a user's active account and the accounts they may choose.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "User (default: you).") var user: String?
        @Option(name: .customLong("socket"), help: "tollgated's local socket, used when you cannot write the database.")
        var socketPath: String?
        func run() throws {
            if user == nil, !ActiveCommand.canWrite(store) {
                let (active, usable) = try ActiveCommand.client(socketPath).active()
                print("\(invokingActor()): \(active.isEmpty ? "none (personal wallet only)" : active)")
                print("usable accounts: \(usable.isEmpty ? "none" : usable.joined(separator: ", "))")
                return
            }
            let db = try store.open()
            let who = user ?? invokingActor()
            let active = try db.activeAccount(for: who)
            if output.json { return try Output.json(active) }
            print("\(who): \(describe(active))")
            let choices = try db.usableAccounts(for: who).map(\.name)
            print("usable accounts: \(choices.isEmpty ? "none" : choices.joined(separator: ", "))")
        }
    }

    struct SetActive: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Set the active account for future jobs.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Account name or code.") var account: String?
        @Flag(name: .customLong("wallet-only"), help: "Charge the personal wallet only.") var walletOnly = false
        @Option(help: "User to change (an admin acting for them; default: you).") var user: String?
        @Option(name: .customLong("socket"), help: "tollgated's local socket, used when you cannot write the database.")
        var socketPath: String?

        func validate() throws {
            if (account == nil) == !walletOnly { throw ValidationError("name an account, or give --wallet-only") }
        }

        func run() throws {
            if user == nil, !ActiveCommand.canWrite(store) {
                let (active, _) = try ActiveCommand.client(socketPath).active(set: walletOnly ? nil : account, walletOnly: walletOnly)
                return print("\(invokingActor()): \(active.isEmpty ? "none (personal wallet only)" : active)")
            }
            let who = user ?? invokingActor()
            let active = try store.open().setActiveAccount(walletOnly ? nil : account, for: who, by: user == nil ? .user : .admin)
            print("\(who): \(describe(active))")
        }
    }
}
