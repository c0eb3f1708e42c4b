import ArgumentParser
import Foundation
import PostgreSQLStore
import Pricing
import QuotaDB
import Release

/// `tollgate ledger`: the append-only ledger.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "List ledger entries (reserve, debit, release, credit, top-up, refund, adjustment).")
    @OptionGroup var store: StoreOptions
    @Option var user: String?
    @Option(help: "Account name or code.") var account: String?
    @Flag(help: "Personal wallet entries only.") var wallet = false
    @Option(help: "Job key.") var job: String?
    @Option(help: ArgumentHelp("Only these kinds (repeatable).", valueName: "kind")) var kind: [String] = []
    @Option(help: ArgumentHelp("From this date (inclusive).", valueName: "date")) var from: String?
    @Option(help: ArgumentHelp("Until this date (exclusive).", valueName: "date")) var until: String?
    @Option(help: "At most this many entries.") var limit: Int?
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print CSV.") var csv = false

    static func describe(_ e: LedgerEntry) -> String {
        "#\(e.id) \(e.kind.rawValue) \(e.user) \(e.account.map { "account \($0.name)" } ?? "wallet"): \(e.amount), balance \(e.balanceAfter)\(e.reason.isEmpty ? "" : " — \(e.reason)")"
    }

    func run() throws {
        let kinds = try Set(kind.map { text in
            guard let k = LedgerKind(rawValue: text) else {
                throw ValidationError("--kind \(text): use one of \(LedgerKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return k
        })
        let entries = try store.open().ledger(LedgerQuery(
            user: user, account: account, walletOnly: wallet, jobKey: job, kinds: kinds,
            from: try from.map { try DateArgument.parse($0, what: "--from") },
            until: try until.map { try DateArgument.parse($0, what: "--until") }, limit: limit))
        if json { return try Output.json(entries) }
        let header = ["ID", "TIME", "KIND", "JOB", "USER", "ACCOUNT", "AMOUNT", "EFFECT", "BALANCE", "ACTOR", "REASON"]
        let rows = entries.map { e in
            [String(e.id), Output.date(e.at), e.kind.rawValue, e.jobKey ?? "", e.user, e.account?.name ?? "(wallet)",
             e.amount.description, e.balanceEffect.description, e.balanceAfter.description, e.actor, e.reason]
        }
        csv ? Output.csv(header, rows) : Output.table(header, rows)
    }
}

/// `tollgate report`: usage per user, account or both over a period.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Usage per user, per account or per user and account over a period (table, CSV or JSON).")
    @OptionGroup var store: StoreOptions
    @Option(help: "user, account or user-account.") var by: String = "user"
    @Option(help: ArgumentHelp("From this date (inclusive).", valueName: "date")) var from: String?
    @Option(help: ArgumentHelp("Until this date (exclusive).", valueName: "date")) var until: String?
    @Option var user: String?
    @Option(help: "Account name or code.") var account: String?
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print CSV.") var csv = false

    func run() throws {
        guard let grouping = UsageGrouping(rawValue: by) else {
            throw ValidationError("--by \(by): use user, account or user-account")
        }
        let rows = try store.open().usageReport(UsageReportQuery(
            grouping: grouping, from: try from.map { try DateArgument.parse($0, what: "--from") },
            until: try until.map { try DateArgument.parse($0, what: "--until") }, user: user, account: account))
        if json { return try Output.json(rows) }
        let header = ["USER", "ACCOUNT", "JOBS", "CHARGED", "REFUNDED", "NET", "CREDITED", "TOPPED UP"]
        let cells = rows.map { r in
            [r.user ?? "", r.account?.name ?? (grouping == .user ? "" : "(wallet)"), String(r.jobs), r.charged.description,
             r.refunded.description, r.net.description, r.credited.description, r.toppedUp.description]
        }
        csv ? Output.csv(header, cells) : Output.table(header, cells)
    }
}

/// `tollgate check`: re-derive every balance from the ledger.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Re-derive every balance from the ledger and verify the invariants (exit 1 on any drift).")
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let report = try store.open().verify()
        if output.json { try Output.json(report) } else {
            print("\(report.ledgerRows) ledger entries, \(report.wallets) wallets, \(report.allocations) allocations, \(report.reservations) reservations")
            if report.isConsistent { print("OK: every balance equals its ledger") }
            for problem in report.problems { print("DRIFT: \(problem)") }
        }
        if !report.isConsistent { throw ExitCode.failure }
    }
}

/// `tollgate db init`, `tollgate db copy`.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Create the quota database, or copy it into another.",
        subcommands: [Initialise.self, Copy.self, GrantPrintServer.self])

    struct GrantPrintServer: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grant-print-server", abstract: "Let a PostgreSQL role be a print server's: append to the ledger, never rewrite it.",
            discussion: """
                Run as the database's owner after `tollgate db init` (and again after an upgrade). The role reads every table \
                and writes the working ones, inserts ledger rows and job events but cannot update, delete or truncate them, and \
                cannot change the schema. Point each print server's TOLLGATE_DB at the database as that role.
                """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "An existing PostgreSQL role (createuser NAME).") var role: String

        func run() throws {
            let location = store.databaseLocation
            guard location.isPostgreSQL else {
                throw ValidationError("roles are PostgreSQL's: a SQLite file is protected by its mode (0640 root:lp)")
            }
            let engine = try PostgreSQLEngine(conninfo: location.path, create: false, busyTimeout: store.busyTimeout)
            try engine.grantPrintServerRole(role)
            print("role \(role) may charge jobs in \(engine.locationDescription); it can append to the ledger, never change it")
        }
    }

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy", abstract: "Copy the whole database into an empty one (SQLite into PostgreSQL, or back).",
            discussion: """
                Accounts, wallets, the ledger (with its ids, times and actors), held jobs, credentials, API clients, \
                vouchers and the mail outbox, in one transaction: a failure leaves the target empty. Stop the print \
                queues first (cupsenable after), then run `tollgate check` on both and point TOLLGATE_DB at the new one.
                """)
        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("to"), help: ArgumentHelp("The empty target: a postgresql:// URI or a SQLite file.", valueName: "uri|path"))
        var target: String

        func run() throws {
            let source = try store.openStore()
            let destination = try SQLQuotaStore.open(DatabaseLocation(path: target),
                                                     options: .init(create: true, currency: source.currency, busyTimeout: store.busyTimeout))
            let report = try source.copy(to: destination)
            for (table, count) in report.rows where count > 0 { print("\(table): \(count)") }
            print("copied \(report.total) rows from \(source.locationDescription) to \(destination.locationDescription)")
            let check = try destination.check()
            print(check.isConsistent ? "tollgate check on the copy: OK" : "tollgate check on the copy found problems:\n" + check.problems.joined(separator: "\n"))
            if !check.isConsistent { throw ExitCode.failure }
        }
    }

    struct Initialise: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init", abstract: "Create (or open and migrate) the database.",
            discussion: "PIN hashes an earlier Tollgate stored without the pepper get it now (the PIN key is made if missing); users keep their PINs.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var pinKey: PINKeyOptions
        @Option(help: "The site currency: an ISO code (EUR, USD…) or points.") var currency: String
        @Option(help: "Decimals of a currency Tollgate does not know.") var decimals: Int?

        func run() throws {
            let chosen: Currency
            if let known = Currency.wellKnown(code: currency), decimals == nil || decimals == known.exponent {
                chosen = known
            } else {
                guard let decimals else { throw ValidationError("--currency \(currency): unknown currency; give --decimals too") }
                chosen = try Currency(code: currency.uppercased(), exponent: decimals)
            }
            let db = try store.create(currency: chosen)
            print("database \(db.locationDescription) ready (currency \(db.currency.code))")
            // PIN hashes from before the pepper (an older Tollgate's): the key is made now and wraps them.
            let census = try db.pinHashCensus(key: try PINKey.load(at: pinKey.location))
            if census.withoutPepper > 0 { _ = try pinKey.key(pepperingHashesOf: db) }
            if census.otherKey > 0 {
                printError("\(census.otherKey) PIN(s) were set with another PIN key than \(pinKey.location.path): they match nothing until they are set again")
            }
        }
    }
}
