import Foundation
import Pricing
import PostgreSQLStore
import Testing
import TestSupport
@testable import QuotaDB

/// `tollgate db copy`: one print server's SQLite file into the PostgreSQL database several share.
@Suite("Copying a database between engines")
struct CopyTests {
    @Test func aSQLiteDatabaseCopiesIntoAnEmptyPostgreSQLOneWhole() throws {
        let directory = try TemporaryDirectory()
        let source = try SQLQuotaStore(location: DatabaseLocation(path: directory.path + "/t.db"), options: .init(create: true, currency: .eur))
        try source.limitedAccount("Math", soft: "5", hard: "5")
        try source.topUp(user: "alice", amount: eur("3"), reference: "pay-1", actor: "admin")
        _ = try source.authorize("j1", "alice", "7")
        try source.settle(jobKey: "j1", amount: eur("6"), actor: "backend")
        try source.setCredential(user: "alice", cardNumber: "0042", pinHash: "$y$hash")

        let server = try TestEngine.server.get()
        let schema = "copy_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try PostgresConnection(server.conninfo()).execute("CREATE SCHEMA \(schema)")
        let target = try SQLQuotaStore.open(DatabaseLocation(path: server.uri(options: "-c search_path=\(schema)")),
                                            options: .init(create: true, currency: .eur))
        let report = try source.copy(to: target)
        let ledgerRows = try source.ledgerCount(LedgerQuery())
        #expect(report.rows.first { $0.table == "ledger" }?.count == ledgerRows)
        #expect(try target.check().isConsistent)
        #expect(try target.balances(for: "alice") == source.balances(for: "alice"))
        #expect(try target.ledger(LedgerQuery()) == source.ledger(LedgerQuery()))
        #expect(try target.credential(identifier: "0042")?.user == "alice")
        // New rows follow the copied ones; a second copy into a store that is no longer empty is refused whole.
        let next = try target.topUp(user: "alice", amount: eur("1"), reference: nil, actor: "admin")
        #expect(try next.id > source.ledger(LedgerQuery()).map(\.id).max()!)
        #expect(throws: QuotaError.self) { _ = try source.copy(to: target) }
        #expect(try target.ledgerCount(LedgerQuery()) == source.ledgerCount(LedgerQuery()) + 1)
    }
}
