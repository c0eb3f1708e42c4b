import ArgumentParser
import Enforcement
import Foundation

/// `tollgate sync`: charge the jobs printed while the quota database could not be reached.
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Charge the jobs this server printed while the quota database was unreachable (tollgate-offline-default=record).",
        discussion: """
        Replays the offline journal into the database: each job is charged once, what its printer
        printed, even below zero (the ledger says it was printed offline). The next job's backend
        and the maintenance timer do the same; it is safe to run at any time and any number of
        times. A job whose backend never finished becomes an open reservation for `tollgate reconcile`.
        """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The offline journal (default: $TOLLGATE_JOURNAL_DIR, else \(OfflineJournal.defaultDirectory)).", valueName: "dir"))
    var journal: String?

    func run() throws {
        let directory = journal ?? ProcessInfo.processInfo.environment["TOLLGATE_JOURNAL_DIR"] ?? OfflineJournal.defaultDirectory
        let journal = OfflineJournal(directory: directory)
        guard !journal.isEmpty else {
            print("nothing to replay")
            return
        }
        let report = try journal.replay(into: try store.open())
        for (key, amount) in report.charged { print("\(key): charged \(amount)") }
        for key in report.reserved { print("\(key): reserved; its backend never finished: tollgate reconcile settles it") }
        for (name, reason) in report.failed { print("\(name): not replayed: \(reason)") }
        if !report.failed.isEmpty { throw ExitCode.failure }
    }
}
