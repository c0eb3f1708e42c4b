import ArgumentParser
import Foundation
import Pricing
import QuotaDB

/// `tollgate schedule …`: scheduled credits.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Scheduled credits: a fixed amount per user, group or everyone, daily, weekly, monthly or once.",
        subcommands: [Add.self, List.self, Run.self, Enable.self, Disable.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define a scheduled credit.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Unique name.") var name: String
        @Option(help: "Amount per user and period.") var amount: String
        @Option(help: "daily, weekly, monthly or once.") var every: String
        @Option(help: ArgumentHelp("For --every once: the date.", valueName: "date")) var on: String?
        @Option(help: ArgumentHelp("First period (default: now).", valueName: "date")) var starts: String?
        @Option(help: "Credit this user.") var user: String?
        @Option(help: "Credit every member of this group (local or system).") var group: String?
        @Flag(help: "Credit every known user.") var everyone = false
        @Option(help: "Credit this account's allocation (default: the personal wallet).") var account: String?
        @Flag(name: .customLong("reset-to"), help: "Reset the balance to the amount instead of adding it.") var resetTo = false

        func run() throws {
            let db = try store.open()
            let targets = [user.map { ScheduleTarget.user($0) }, group.map { ScheduleTarget.group($0) }, everyone ? .everyone : nil].compactMap { $0 }
            guard targets.count == 1 else { throw ValidationError("give exactly one of --user, --group, --everyone") }
            let period: SchedulePeriod
            switch every {
            case "daily": period = .daily
            case "weekly": period = .weekly
            case "monthly": period = .monthly
            case "once":
                guard let on else { throw ValidationError("--every once needs --on DATE") }
                period = .once(try DateArgument.parse(on, what: "--on"))
            default: throw ValidationError("--every \(every): use daily, weekly, monthly or once")
            }
            let schedule = try db.addSchedule(NewScheduledCredit(
                name: name, target: targets[0], destination: account.map { .account($0) } ?? .wallet,
                mode: resetTo ? .resetTo : .add, amount: try db.amount(amount, what: "--amount"), period: period,
                startsAt: try starts.map { try DateArgument.parse($0, what: "--starts") } ?? Date()))
            print("added scheduled credit \(schedule.name): \(schedule.mode.rawValue) \(schedule.amount) \(schedule.period) to \(schedule.target) (\(schedule.account.map { "account \($0.name)" } ?? "wallet"))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List scheduled credits.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        func run() throws {
            let schedules = try store.open().schedules()
            if output.json { return try Output.json(schedules) }
            Output.table(["NAME", "TARGET", "TO", "MODE", "AMOUNT", "PERIOD", "ENABLED", "LAST PERIOD"], schedules.map {
                [$0.name, $0.target.description, $0.account?.name ?? "wallet", $0.mode.rawValue, $0.amount.description,
                 $0.period.description, $0.isEnabled ? "yes" : "no", $0.lastPeriod ?? "-"]
            })
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply due periods (run it from cron or a systemd timer; running twice does nothing).",
            discussion: """
            Only the current period is applied; periods missed while nothing ran are reported. With --catch-up, \
            'add' schedules also apply each missed period (to users known then); 'reset-to' schedules never do.
            """)
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Flag(name: .customLong("catch-up"), help: "Also apply missed periods of 'add' schedules.") var catchUp = false

        func run() throws {
            let report = try store.open().runSchedules(catchUp: catchUp, actor: invokingActor())
            if output.json { return try Output.json(report) }
            for applied in report.applied {
                print("applied \(applied.schedule) \(applied.period) to \(applied.user): \(applied.entry.amount) (balance \(applied.entry.balanceAfter))")
            }
            if report.alreadyApplied > 0 { print("\(report.alreadyApplied) already applied earlier (skipped)") }
            for missed in report.missed {
                print("MISSED \(missed.schedule): \(missed.periods.joined(separator: ", ")) (not applied; use --catch-up for 'add' schedules)")
            }
            if report.applied.isEmpty && report.missed.isEmpty && report.alreadyApplied == 0 { print("nothing due") }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a scheduled credit.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() throws { try store.open().setScheduleEnabled(name, true); print("enabled \(name)") }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a scheduled credit.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() throws { try store.open().setScheduleEnabled(name, false); print("disabled \(name)") }
    }
}
