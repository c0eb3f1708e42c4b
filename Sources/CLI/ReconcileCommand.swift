import ArgumentParser
import Enforcement
import Foundation
import IPPWire

/// `tollgate reconcile`: settle or release reservations a dead backend left open.
struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Settle or refund jobs whose backend died between reserving and settling, from cupsd's job state.",
        discussion: """
        First replays this server's offline journal (as `tollgate sync`). Then a completed job is
        settled; a cancelled, aborted or forgotten job is refunded; a job still
        pending or printing is left to the backend run that will finish it. Run it from cron or
        after a crash; it is safe to run at any time and any number of times.
        """)

    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("cups-server"), help: "cupsd's domain socket or host:port (default: $CUPS_SERVER, else /run/cups/cups.sock, else localhost:631).")
    var cupsServer: String?

    @Option(name: .customLong("server-name"), help: "This print server's name in job keys (default: $TOLLGATE_SERVER_NAME or the host name).")
    var serverName: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let settings = Gatekeeper.Settings(environment: environment)
        let site = SiteSettings(environment: environment, cupsServer: cupsServer, serverName: serverName)
        let reconciler = Reconciler(serverName: site.serverName)
        let cups = try CupsdConnection(server: site.cupsServer)
        let db = try store.open()
        // First what this server printed without the database (the proof that a job printed,
        // which reconcile would otherwise not find): see `tollgate sync`.
        if !settings.journal.isEmpty {
            let replay = try settings.journal.replay(into: db)
            for (key, amount) in replay.charged { print("\(key): charged \(amount) (printed while the database was unreachable)") }
            for (name, reason) in replay.failed { print("offline journal entry \(name) not replayed: \(reason)") }
        }
        let outcomes = try reconciler.run(store: db, cups: cups, actor: "reconcile")
        if outcomes.isEmpty { print("no open reservations") }
        for outcome in outcomes { print(outcome) }
    }
}
