import ArgumentParser
import Foundation
import QuotaDB
import Release

/// Where the release commands find cupsd and the database, and for whom they act.
///
/// Who: the user running the command. Only someone who can write the quota database (an
/// administrator, root) may act for another user with `--user`; everyone else goes through
/// `tollgated`'s local socket, which knows them by their Unix user id (SO_PEERCRED) and lets
/// them touch only their own jobs.
struct ReleaseOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("cups-server"), help: "cupsd's domain socket or host:port (default: $CUPS_SERVER or libcups's default).")
    var cupsServer: String?

    @Option(name: .customLong("server-name"), help: "This print server's name in job keys (default: $TOLLGATE_SERVER_NAME or the host name).")
    var serverName: String?

    @Option(help: "Act for this user (administrators only; default: you).")
    var user: String?

    @Option(name: .customLong("socket"), help: "tollgated's local socket, used when you cannot write the database (default: $TOLLGATE_SOCKET or \(LocalReleaseSocket.defaultPath)).")
    var socketPath: String?

    /// `true` when this process can write the database itself (an administrator).
    var actsDirectly: Bool { ActiveCommand.canWrite(store) }

    /// The service, acting directly on the database and cupsd.
    func service() throws -> ReleaseService {
        ReleaseService(store: try store.open(),
                       settings: .init(environment: ProcessInfo.processInfo.environment, cupsServer: cupsServer, serverName: serverName))
    }

    /// The user acted for.
    var subject: String { user ?? invokingActor() }

    /// A client of tollgated's local socket, for users who cannot write the database.
    func client() throws -> LocalReleaseClient {
        guard user == nil || user == invokingActor() else {
            throw ValidationError("--user needs write access to the quota database (administrators only)")
        }
        return ActiveCommand.client(socketPath)
    }
}

/// `tollgate jobs`: my jobs waiting at the release station.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List your jobs waiting for release on secure (release) printers.",
        discussion: "Administrators can list anyone's with --user, or the history of releases with --history.")

    @OptionGroup var options: ReleaseOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Show the history of release-queue jobs (held, released, printed, refused, deleted, expired) instead.")
    var history = false
    @Option(help: "With --history: how many events.") var limit = 50

    func run() throws {
        if history {
            let events = try options.store.open().jobEvents(jobKey: nil, user: options.user, limit: limit)
            if output.json { return try Output.json(events) }
            Output.table(["WHEN", "USER", "EVENT", "JOB", "DETAIL"], events.map {
                [Output.date($0.at), $0.user, $0.kind.rawValue, $0.jobKey, Output.printable($0.detail)]
            })
            return
        }
        let jobs: [HeldJobSummary]
        if options.actsDirectly {
            jobs = try options.service().heldJobs(for: options.subject).map(HeldJobSummary.init)
        } else {
            jobs = try options.client().heldJobs()
        }
        if output.json { return try Output.json(jobs) }
        if jobs.isEmpty { return print("no jobs waiting for release") }
        Output.table(["JOB", "QUEUE", "PAGES", "COLOUR", "PRICE", "WAITING", "DOCUMENT", "NOTE"], jobs.map {
            [String($0.id), $0.queue, String($0.pageSides), String($0.colourPages), $0.price,
             ISO8601DateFormatter().date(from: $0.heldAt).map { Output.age(since: $0) } ?? $0.heldAt,
             Output.printable($0.title), Output.printable($0.message)]
        })
    }
}

/// `tollgate release`: print my held jobs (walk-up release at a terminal).
struct ReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release your held jobs so they print, charged to the account you choose.",
        discussion: """
        Funds are checked first: a job your accounts and wallet cannot pay is not released, and you
        are told what to top up. With --to, the job moves to another secure printer of this server
        (follow-me) and is priced with that printer's rates.
        """)

    @OptionGroup var options: ReleaseOptions
    @Argument(help: "Job numbers (see `tollgate jobs`).") var jobs: [Int] = []
    @Flag(help: "Release all your held jobs.") var all = false
    @Option(help: "Charge this account (name or code) first; default: your active account, then your wallet.")
    var account: String?
    @Option(name: .customLong("to"), help: "Print on this secure printer instead (follow-me).")
    var queue: String?

    func validate() throws {
        if jobs.isEmpty == !all { throw ValidationError("name job numbers, or give --all") }
        if all && queue != nil { throw ValidationError("--to moves one job at a time") }
    }

    func run() throws {
        var failed = false
        if options.actsDirectly {
            let service = try options.service()
            let user = options.subject
            let targets = all ? try service.heldJobs(for: user).map(\.jobID) : jobs
            if targets.isEmpty { return print("no jobs waiting for release") }
            for job in targets {
                let outcome = service.releaseOutcome(jobID: job, by: user, account: account, on: queue, via: "cli")
                if outcome.succeeded { print(outcome.sentence) } else { failed = true; printError(outcome.sentence) }
            }
        } else {
            let client = try options.client()
            for outcome in try client.release(jobs: jobs, all: all, account: account, queue: queue) {
                if outcome.ok { print(outcome.message) } else { failed = true; printError(outcome.message) }
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// `tollgate delete`: remove my held jobs without printing them.
struct DeleteJobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete your held jobs without printing them.")

    @OptionGroup var options: ReleaseOptions
    @Argument(help: "Job numbers (see `tollgate jobs`).") var jobs: [Int]

    func run() throws {
        var failed = false
        if options.actsDirectly {
            let service = try options.service()
            for job in jobs {
                let outcome = service.deleteOutcome(jobID: job, by: options.subject, via: "cli")
                if outcome.succeeded { print(outcome.sentence) } else { failed = true; printError(outcome.sentence) }
            }
        } else {
            for outcome in try options.client().delete(jobs: jobs) {
                if outcome.ok { print(outcome.message) } else { failed = true; printError(outcome.message) }
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// `tollgate tick`: the periodic work for cron-style installs without tollgated.
struct TickCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tick",
        abstract: "Cancel held jobs whose hold lifetime ended (tollgate-hold-hours-default), releasing any funds they hold.",
        discussion: "tollgated does this on its own schedule; run `tollgate tick` from cron where tollgated does not run.")

    @OptionGroup var options: ReleaseOptions

    func run() throws {
        let expired = try options.service().expireHeldJobs(actor: "tick")
        if expired.isEmpty { print("no held job has expired") }
        for job in expired { print("expired job \(job.jobID) of \(job.owner) on \(job.queue) (held since \(Output.date(job.heldAt)))") }
    }
}

/// `tollgate pin`: card numbers and PINs for release-station sign-in.
struct PINCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Set or remove a user's release-station card number and PIN (the PIN is stored hashed, with the PIN key's pepper).",
        subcommands: [SetPIN.self, RemovePIN.self])

    struct SetPIN: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Set a user's PIN (4–12 digits, read from standard input) and optionally their card number.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var pinKey: PINKeyOptions
        @Argument(help: "User name.") var user: String
        @Option(help: "Card number printed on the user's card.") var card: String?

        func run() throws {
            guard let line = readLine(strippingNewline: true) else { throw ValidationError("give the PIN on standard input") }
            guard PINHash.validate(line) else { throw PINError.invalidPIN }
            let db = try store.open()
            let hash = try PINHash.make(line, key: try pinKey.key(pepperingHashesOf: db))
            try db.setCredential(user: user, cardNumber: card, pinHash: hash.stored)
            print("PIN set for \(user)\(card.map { " (card \($0))" } ?? "")")
        }
    }

    struct RemovePIN: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a user's card number and PIN.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "User name.") var user: String
        func run() throws {
            try store.open().removeCredential(user: user)
            print("PIN removed for \(user)")
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("tollgate: \(message)\n".utf8))
}
