import Testing
import TestSupport
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
