import ArgumentParser
import Foundation
import PostgreSQLStore
import Pricing
import QuotaDB
import Release

/// `--db PATH` and friends, shared by every command that uses the quota database.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp("The quota database: a SQLite file or a postgresql:// URI (default: $TOLLGATE_DB, else \(DatabaseLocation.defaultPath)).", valueName: "path|uri"))
    var databasePath: String?

    @Option(name: .customLong("busy-timeout"), help: ArgumentHelp("Seconds to wait for another writer before giving up.", valueName: "seconds"))
    var busyTimeout: Double = 5

    @Flag(name: .customLong("durable-commits"), help: "fsync every commit (synchronous=FULL): survives power loss, much slower.")
    var durableCommits = false

    /// Where the database is: `--db`, else `TOLLGATE_DB`, else the default file.
    var databaseLocation: DatabaseLocation { DatabaseLocation.resolve(explicit: databasePath) }

    /// Opens the existing database (never creates one).
    func open() throws -> any PrintAccountingStore { try openStore() }

    /// The same, as the store itself (for what only it does: copying a whole database).
    func openStore() throws -> SQLQuotaStore {
        try SQLQuotaStore.open(DatabaseLocation.resolve(explicit: databasePath),
                               options: .init(busyTimeout: busyTimeout, durableCommits: durableCommits))
    }

    /// Opens, or creates with `currency`.
    func create(currency: Currency) throws -> SQLQuotaStore {
        try SQLQuotaStore.open(DatabaseLocation.resolve(explicit: databasePath),
                               options: .init(create: true, currency: currency, busyTimeout: busyTimeout, durableCommits: durableCommits))
    }
}

/// `--pin-key PATH`: the PIN pepper's key file, for the commands that hash PINs.
struct PINKeyOptions: ParsableArguments {
    @Option(name: .customLong("pin-key"), help: ArgumentHelp("The PIN key, made 0600 when missing (default: $TOLLGATE_PIN_KEY, else \(PINKeyLocation.defaultPath)).", valueName: "path"))
    var pinKeyPath: String?

    var location: PINKeyLocation { PINKeyLocation.resolve(explicit: pinKeyPath) }

    /// The key (made now if there is none), with every PIN hash of `store` from before the pepper
    /// wrapped with it; both said on standard output.
    func key(pepperingHashesOf store: any ReleaseStore) throws -> PINKey {
        let (key, created) = try PINKey.loadOrCreate(at: location)
        if created { print("PIN key \(location.path) created (id \(key.id)); back it up apart from the database") }
        let wrapped = try store.pepperPINHashes(with: key)
        if wrapped > 0 { print("\(wrapped) PIN hash(es) from before the pepper now use the PIN key; every PIN stays as it was") }
        return key
    }
}

/// `--json` for commands that list.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of a table.")
    var json = false
}

/// The name of the person running the command, written to the ledger as the actor.
func invokingActor() -> String {
    let env = ProcessInfo.processInfo.environment
    if let sudo = env["SUDO_USER"], !sudo.isEmpty { return sudo }
    if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
    return env["USER"] ?? "uid-\(getuid())"
}

extension QuotaStore {
    /// Reads an amount typed by an admin, in the database's currency (`1.05`, `1.05 EUR`, `12 points`).
    func amount(_ text: String, what: String) throws -> Money {
        do {
            return try Money(parsing: text, currency: currency, unit: .optional)
        } catch {
            throw ValidationError("\(what): \(error)")
        }
    }
}
