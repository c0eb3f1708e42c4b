import Testing
import TestSupport
import Pricing
import QuotaDB
@testable import PostgreSQLStore

/// The libpq wrapper against a real, private PostgreSQL server.
@Suite(.serialized) struct PostgresConnectionTests {
    @Test func parametersAreBoundNeverSpliced() throws {
        let server = try PostgresServer()
        let connection = try PostgresConnection(server.conninfo())
        try connection.execute("CREATE TABLE t (name text, n bigint)")
        let hostile = "x'); DROP TABLE t; --"
        try connection.execute("INSERT INTO t VALUES ($1, $2)", [hostile, "42"])
        try connection.execute("INSERT INTO t VALUES ($1, $2)", [nil, nil])
        let rows = try connection.execute("SELECT name, n FROM t ORDER BY n NULLS LAST")
        #expect(rows.columns == ["name", "n"])
        #expect(rows.rows == [[hostile, "42"], [nil, nil]])
    }

    @Test func aRefusedStatementSaysWhyAndRollsBack() throws {
        let server = try PostgresServer()
        let connection = try PostgresConnection(server.conninfo())
        try connection.execute("CREATE TABLE t (k text PRIMARY KEY)")
        do {
            try connection.transaction { c throws(PostgresError) in
                try c.execute("INSERT INTO t VALUES ('a')")
                try c.execute("INSERT INTO t VALUES ('a')")
            }
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.kind == .statement && error.sqlState == "23505", "\(error)")
        }
        #expect(try connection.execute("SELECT count(*) AS n FROM t").value("n") == "0", "all or nothing")
    }

    @Test func queuedStatementsGoWithTheNextOneInOrder() throws {
        let server = try PostgresServer()
        let connection = try PostgresConnection(server.conninfo())
        try connection.execute("CREATE TABLE t (k text PRIMARY KEY, n bigint)")
        let before = connection.exchanges
        connection.queue("BEGIN")
        connection.queue("INSERT INTO t VALUES ($1, $2)", ["a", "1"], types: [.text, .int8])
        connection.queue("UPDATE t SET n = n + 1 WHERE k = $1", ["a"])
        let rows = try connection.execute("SELECT n FROM t WHERE k = $1", ["a"])
        #expect(rows.rows == [["2"]], "the queued insert and update ran first, in order")
        #expect(connection.exchanges == before + 1, "four statements, one exchange")
        #expect(connection.inTransaction)
        try connection.execute("COMMIT")
        #expect(!connection.inTransaction)
        #expect(try connection.execute("SELECT count(*) AS n FROM t").value("n") == "1")
    }

    @Test func aQueuedStatementThatFailsIsTheErrorAndWhatFollowsItDoesNotRun() throws {
        let server = try PostgresServer()
        let connection = try PostgresConnection(server.conninfo())
        try connection.execute("CREATE TABLE t (k text PRIMARY KEY)")
        try connection.execute("INSERT INTO t VALUES ('a')")
        connection.queue("BEGIN")
        connection.queue("INSERT INTO t VALUES ('b')")
        connection.queue("INSERT INTO t VALUES ('a')")
        connection.queue("INSERT INTO t VALUES ('c')")
        do {
            try connection.execute("SELECT count(*) FROM t")
            Issue.record("a duplicate key in the queue was not reported")
        } catch {
            #expect(error.kind == .statement && error.sqlState == "23505", "\(error)")
            #expect(error.message.contains("[in: INSERT INTO t VALUES ('a')]"), "the failing statement is named: \(error.message)")
        }
        #expect(connection.inTransaction, "the transaction is open, in error, until rolled back")
        try connection.execute("ROLLBACK")
        #expect(try connection.execute("SELECT k FROM t ORDER BY k").rows == [["a"]], "nothing of the failed transaction stays")
        // Out of pipeline mode again: a plain statement works.
        #expect(try connection.execute("SELECT 1 AS one").value("one") == "1")
    }

    @Test func aPreparedStatementOutlivesARolledBackTransactionAndFollowsTheSchema() throws {
        let server = try PostgresServer()
        let connection = try PostgresConnection(server.conninfo())
        try connection.execute("CREATE TABLE t (k text PRIMARY KEY)")
        try connection.execute("BEGIN")
        try connection.execute("INSERT INTO t VALUES ($1)", ["a"])          // prepared here, in the transaction
        try connection.execute("ROLLBACK")
        try connection.execute("INSERT INTO t VALUES ($1)", ["b"])          // executed by name after the rollback
        #expect(try connection.execute("SELECT * FROM t WHERE k <> $1", ["x"]).rows == [["b"]])
        // Another server changes the table: the prepared SELECT * no longer fits (0A000), and
        // after forgetting the prepared statements it is prepared again.
        try server.psql("ALTER TABLE t ADD COLUMN n bigint")
        do {
            try connection.execute("SELECT * FROM t WHERE k <> $1", ["x"])
            Issue.record("a prepared SELECT * gave the new column without being prepared again")
        } catch {
            #expect(error.sqlState == "0A000", "\(error)")
            connection.forgetPreparedStatements()
        }
        #expect(try connection.execute("SELECT * FROM t WHERE k <> $1", ["x"]).columns == ["k", "n"])
    }

    @Test func aKeptConnectionFindsTheRestartedServerAtItsNextTransaction() throws {
        let server = try PostgresServer()
        let engine = try PostgreSQLEngine(conninfo: server.uri(), create: true)
        let store = try SQLQuotaStore(engine: engine, options: .init(create: true, currency: .eur))
        let eur = { (text: String) in try! Money(parsing: text, currency: .eur, unit: .optional) }
        try store.topUp(user: "alice", amount: eur("1.00"), reference: nil, actor: "test")
        server.stop()
        try server.start()
        // The first exchange (BEGIN with the first statement) finds the connection gone: nothing
        // ran, so the engine connects again once and the job is decided.
        let decision = try store.authorize(AuthorizationRequest(jobKey: "north/1/100", user: "alice", amount: eur("0.40"), policy: .cover))
        #expect(decision.approval?.reservation.walletPart == eur("0.40"))
        #expect(try store.balances(for: "alice").wallet == eur("0.60"))
        server.stop()
        #expect(throws: QuotaError.self, "a server that is down is unavailable, never a free print") {
            try store.settle(jobKey: "north/1/100", amount: nil, actor: "backend")
        }
        try server.start()
        #expect(try store.settle(jobKey: "north/1/100", amount: nil, actor: "backend").state == .settled)
        #expect(try store.check().isConsistent)
    }

    @Test func anUnreachableServerIsAConnectionError() throws {
        let server = try PostgresServer()
        let conninfo = server.conninfo()
        server.stop()
        do {
            _ = try PostgresConnection(conninfo)
            Issue.record("connected to a stopped server")
        } catch {
            #expect(error.kind == .connection, "\(error)")
        }
    }
}

/// A print server's role (`tollgate db grant-print-server`): it charges jobs, and cannot
/// rewrite the ledger even where the append-only triggers are gone.
@Suite(.serialized) struct PrintServerRoleTests {
    @Test func aPrintServerRoleChargesJobsButCanNeverRewriteTheLedger() throws {
        let server = try PostgresServer()
        try server.psql("CREATE DATABASE tollgate")
        try server.psql("CREATE ROLE tgprint LOGIN")
        let owner = try PostgreSQLEngine(conninfo: server.uri(database: "tollgate"), create: true)
        _ = try SQLQuotaStore(engine: owner, options: .init(create: true, currency: .eur))
        #expect(throws: QuotaError.self) { try owner.grantPrintServerRole("nosuchrole") }
        #expect(throws: QuotaError.self) { try owner.grantPrintServerRole("x\"; DROP TABLE ledger; --") }
        try owner.grantPrintServerRole("tgprint")

        let asRole = server.uri(database: "tollgate").replacingOccurrences(of: "user=tollgate", with: "user=tgprint")
        let store = try SQLQuotaStore.open(DatabaseLocation(path: asRole))
        let eur = { (text: String) in try! Money(parsing: text, currency: .eur, unit: .optional) }
        try store.topUp(user: "alice", amount: eur("1.00"), reference: nil, actor: "test")
        _ = try store.authorize(AuthorizationRequest(jobKey: "north/1/100", user: "alice", amount: eur("0.40"), policy: .cover))
        _ = try store.settle(jobKey: "north/1/100", amount: nil, actor: "backend")
        _ = try store.refund(jobKey: "north/1/100", amount: eur("0.10"), reason: "jam", actor: "admin")
        #expect(try store.balances(for: "alice").wallet == eur("0.70"))
        #expect(try store.check().isConsistent)

        // Even with the triggers dropped (by the owner), the role is refused by its privileges (42501).
        try server.psql("DROP TRIGGER ledger_append_only ON ledger", database: "tollgate")
        let connection = try PostgresConnection(server.conninfo(database: "tollgate").replacingOccurrences(of: "user=tollgate", with: "user=tgprint"))
        for statement in ["UPDATE ledger SET amount = 0", "DELETE FROM ledger", "TRUNCATE ledger", "DELETE FROM job_event",
                          "ALTER TABLE ledger DROP COLUMN reason", "INSERT INTO tollgate_schema(version) VALUES (99)"] {
            do {
                try connection.execute(statement)
                Issue.record("\(statement) was allowed")
            } catch {
                #expect(error.sqlState == "42501", "\(statement): \(error)")
            }
        }
    }
}
