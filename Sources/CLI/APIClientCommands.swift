import APIAccess
import ArgumentParser
import Foundation
import QuotaDB

/// `tollgate api-client …`: OAuth clients of the Accounts API (tollgated's `/oauth/token`).
struct APIClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-client",
        abstract: "Clients of the Accounts API: add (the secret is shown once), list, revoke.",
        subcommands: [Add.self, List.self, Revoke.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a client; prints its client id and secret (the secret cannot be shown again).",
            discussion: "Scopes: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "A name for the client (unique).") var name: String
        @Option(name: .customLong("scope"), help: "A scope it may ask for (repeat for several).") var scopes: [String] = []

        func validate() throws {
            guard !scopes.isEmpty else { throw ValidationError("give at least one --scope (\(Scope.allCases.map(\.rawValue).joined(separator: ", ")))") }
            for scope in scopes where Scope(rawValue: scope) == nil {
                throw ValidationError("unknown scope \(scope): use \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() throws {
            let db = try store.open()
            let client = NewAPIClient(name: name, scopes: Set(scopes.compactMap(Scope.init(rawValue:))), createdBy: invokingActor())
            try db.addAPIClient(client.record)
            print("client_id:     \(client.record.id)")
            print("client_secret: \(client.secret)")
            print("scopes:        \(client.record.scopes.joined(separator: " "))")
            print("Keep the secret now: only its hash is stored, it cannot be shown again (revoke and add a new client if it is lost).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List clients: name, id, scopes, created, last used, revoked.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        struct Row: Encodable {
            var name: String
            var id: String
            var scopes: [String]
            var createdAt: Date
            var createdBy: String
            var lastUsedAt: Date?
            var revokedAt: Date?
        }

        func run() throws {
            let clients = try store.open().apiClients()
            if output.json {
                return try Output.json(clients.map {
                    Row(name: $0.name, id: $0.id, scopes: $0.scopes, createdAt: $0.createdAt, createdBy: $0.createdBy,
                        lastUsedAt: $0.lastUsedAt, revokedAt: $0.revokedAt)
                })
            }
            Output.table(["NAME", "CLIENT ID", "SCOPES", "CREATED", "LAST USED", "REVOKED"], clients.map {
                [$0.name, $0.id, $0.scopes.joined(separator: " "), Output.date($0.createdAt), Output.date($0.lastUsedAt), Output.date($0.revokedAt)]
            })
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a client: it gets no token, and its tokens stop working at once.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Client id (or name).") var client: String

        func run() throws {
            let revoked = try store.open().revokeAPIClient(client)
            print("revoked \(revoked.name) (\(revoked.id)) at \(Output.date(revoked.revokedAt))")
        }
    }
}

/// `tollgate payment-site …`: payment sites whose signed callbacks top up personal wallets
/// (`POST /api/v1/payment-sites/NAME/callback`).
struct PaymentSiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment-site",
        abstract: "Payment sites that top up wallets by signed callback: add (prints the HMAC key once), list, remove.",
        subcommands: [Add.self, List.self, Remove.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a payment site and print the key it signs callbacks with (HMAC-SHA-256, hex).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The site's name (the callback path's NAME).") var name: String
        func run() throws {
            let key = APICredentials.randomHex(bytes: 32)
            try store.open().addPaymentSite(name, secret: Data(key.utf8), createdBy: invokingActor())
            print("payment site: \(name)")
            print("callback:     POST /api/v1/payment-sites/\(name)/callback")
            print("signing key:  \(key)")
            print("The site signs each callback body: X-Tollgate-Signature: sha256=HEX(HMAC-SHA-256(key, body)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List payment sites.")
        @OptionGroup var store: StoreOptions
        func run() throws {
            Output.table(["NAME", "CREATED", "BY"], try store.open().paymentSites().map { [$0.name, Output.date($0.createdAt), $0.createdBy] })
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a payment site: its callbacks are refused from now on.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() throws {
            try store.open().removePaymentSite(name)
            print("removed payment site \(name)")
        }
    }
}
