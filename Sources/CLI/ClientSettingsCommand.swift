import ArgumentParser
import QuotaDB

/// `tollgate clients`: what users may do in Tollgate's own clients (the admin console's "Client
/// settings"): whether they choose the account a job is charged to at the station, the portal
/// and `tollgate release --account` (through tollgated's socket), and change their active one.
struct ClientSettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients",
        abstract: "Show or set whether users may choose and change accounts at the station, the portal and `tollgate release`.",
        discussion: "Off: every job is charged to the user's active account (the first usable one, or the one an administrator set), then the personal wallet. Administrators still choose for users.")

    enum Switch: String, ExpressibleByArgument, CaseIterable { case on, off }

    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("account-choice"), help: "on or off.") var accountChoice: Switch?

    func run() throws {
        let db = try store.open()
        if let accountChoice { try db.setClientSettings(ClientSettings(accountChoice: accountChoice == .on)) }
        print("account choice: \(try db.clientSettings().accountChoice ? "on" : "off")")
    }
}
