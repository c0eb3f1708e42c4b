import CLibPQ
import Foundation

/// What went wrong talking to PostgreSQL: the server's SQLSTATE (`40001` serialization failure,
/// `23505` unique violation …) when it answered, and its message.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached or the connection was lost: nothing is known to be written.
        case connection
        /// The server refused the statement (`sqlState` says why); the transaction is rolled back.
        case statement
    }
    public let kind: Kind
    public let sqlState: String?
    public let message: String

    public var description: String { sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message }

    /// Two transactions collided (serialization failure, deadlock): retrying the whole transaction is safe.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }
}

/// The type of a bound parameter, by OID (`pg_type`); `.unknown` lets the server infer it from
/// the statement (what an untyped literal gets).
public enum PostgresType: UInt32, Sendable {
    case unknown = 0
    case bytea = 17
    case int8 = 20
    case text = 25
    case float8 = 701
}

/// Rows of a result, values as PostgreSQL's text format (nil for NULL).
public struct PostgresRows: Sendable {
    public let columns: [String]
    public let rows: [[String?]]
    /// How many rows an INSERT, UPDATE or DELETE changed (0 for other statements).
    public var affectedRows: Int = 0

    public init(columns: [String], rows: [[String?]], affectedRows: Int = 0) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    /// The value of `column` in row `index`.
    public func value(_ column: String, row index: Int = 0) -> String? {
        guard index < rows.count, let at = columns.firstIndex(of: column) else { return nil }
        return rows[index][at]
    }
}

/// One libpq connection, used by one thread at a time (the backend's, or a store call's).
///
/// Blocking calls, text parameters and results (`$1`, `$2` … bound, never spliced into SQL).
/// libpq reads passwords from its passfile (`~/.pgpass`, `PGPASSFILE`) or uses peer /
/// certificate authentication: a connection string here never needs one.
///
/// What one exchange with the server costs is what a job waits for on a remote server (a network
/// round trip, TLS, the server's parse and plan), so:
/// - Statements whose outcome nobody reads (`BEGIN`, an insert or update inside a transaction)
///   can be ``queue(_:_:types:)``d: they go with the next ``execute(_:_:types:)`` in libpq's
///   pipeline mode, so a transaction costs one exchange per answer it needs rather than one per
///   statement. They run in order, before the statement that carries them; the first that fails
///   is the error thrown, and those after it do not run.
/// - A statement with parameters is prepared on the connection the first time (in the same
///   exchange) and executed by name after that: the server parses it once per connection, and
///   plans it once when its plan does not depend on the values. At most
///   ``preparedStatementLimit`` per connection (the SQL of reports is built per query).
public final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private var queued: [Statement] = []
    /// Names of the statements prepared on this session, by text and parameter types.
    private var prepared: [PreparedKey: String] = [:]
    public static let preparedStatementLimit = 256
    /// How many exchanges (a statement with what was queued) were sent: the engine tells from it
    /// whether a failure came at the first exchange of a transaction.
    public private(set) var exchanges = 0

    private struct Statement {
        var sql: String
        var parameters: [String?]
        var types: [PostgresType]
    }

    private struct PreparedKey: Hashable {
        var sql: String
        var types: [PostgresType]
    }

    /// What one result in a pipeline answers.
    private enum Step {
        case prepare(PreparedKey, name: String)
        case run(Statement)
    }

    /// Connects with a libpq connection string or URI (`postgresql://host/db?sslmode=verify-full`).
    public init(_ conninfo: String) throws(PostgresError) {
        guard let connection = PQconnectdb(conninfo) else {
            let reason = tollgate_libpq_load_error().map { String(cString: $0) } ?? "libpq could not allocate a connection"
            throw PostgresError(kind: .connection, sqlState: nil, message: reason)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.text(PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(kind: .connection, sqlState: nil, message: message)
        }
        handle = connection
    }

    deinit { PQfinish(handle) }

    /// Keeps a statement that returns nothing worth reading, to send with the next ``execute(_:_:types:)``.
    public func queue(_ sql: String, _ parameters: [String?] = [], types: [PostgresType] = []) {
        precondition(types.isEmpty || types.count == parameters.count, "one type per parameter")
        queued.append(Statement(sql: sql, parameters: parameters, types: types))
    }

    /// Forgets what was queued and not sent (a transaction given up, or rolled back anyway).
    public func discardQueued() { queued.removeAll() }

    /// Forgets the prepared statements (the server's plan of one no longer fits the schema: SQLSTATE
    /// 0A000 after another server migrated it); they are prepared again when next used.
    public func forgetPreparedStatements() {
        guard !prepared.isEmpty else { return }
        prepared.removeAll()
        if isOK { _ = try? execute("DEALLOCATE ALL") }
    }

    /// Runs one statement with `parameters` bound to `$1…$n`, after what was queued; rows for a
    /// query, none otherwise. `types`: each parameter's type OID (``PostgresType``), or none: the
    /// server infers them. A refused statement's error names it (its first line), for the admin's log.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = [], types: [PostgresType] = []) throws(PostgresError) -> PostgresRows {
        precondition(types.isEmpty || types.count == parameters.count, "one type per parameter")
        exchanges += 1
        let batch = queued + [Statement(sql: sql, parameters: parameters, types: types)]
        queued.removeAll()
        return try exchange(batch)
    }

    /// Sends `batch` in one pipeline (preparing what is new) and reads every result; the last
    /// statement's rows, or the first failure.
    private func exchange(_ batch: [Statement]) throws(PostgresError) -> PostgresRows {
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError() }
        var steps: [Step] = []
        var naming: [PreparedKey: String] = [:]   // prepared in this exchange, kept once it answers
        for statement in batch {
            var name: String?
            if !statement.parameters.isEmpty {
                let key = PreparedKey(sql: statement.sql, types: statement.types)
                name = prepared[key] ?? naming[key]
                if name == nil, prepared.count + naming.count < Self.preparedStatementLimit {
                    let new = "tollgate_\(prepared.count + naming.count + 1)"
                    let oids = statement.types.map(\.rawValue)
                    let sent = oids.withUnsafeBufferPointer {
                        PQsendPrepare(handle, new, statement.sql, Int32(statement.parameters.count), oids.isEmpty ? nil : $0.baseAddress)
                    }
                    guard sent == 1 else { throw abandonPipeline() }
                    steps.append(.prepare(key, name: new))
                    naming[key] = new
                    name = new
                }
            }
            let sent = Self.withParameters(statement) { count, oids, values in
                if let name { PQsendQueryPrepared(handle, name, count, values, nil, nil, 0) }
                else { PQsendQueryParams(handle, statement.sql, count, oids, values, nil, nil, 0) }
            }
            guard sent == 1 else { throw abandonPipeline() }
            steps.append(.run(statement))
        }
        guard PQpipelineSync(handle) == 1 else { throw abandonPipeline() }
        var failure: PostgresError?
        var last = PostgresRows(columns: [], rows: [])
        for step in steps {
            // One result per step (then NULL): its own, or PIPELINE_ABORTED after a failure.
            guard let result = PQgetResult(handle) else { throw abandonPipeline() }
            let status = PQresultStatus(result)
            switch step {
            case .prepare(let key, let name):
                if status == PGRES_COMMAND_OK { prepared[key] = name }
                else if failure == nil, status != PGRES_PIPELINE_ABORTED { failure = error(of: result, sql: key.sql) }
            case .run(let statement):
                if failure == nil, status != PGRES_PIPELINE_ABORTED {
                    do throws(PostgresError) { last = try rows(of: result, sql: statement.sql) } catch { failure = error }
                }
            }
            PQclear(result)
            while let extra = PQgetResult(handle) { PQclear(extra) }
            if PQstatus(handle) != CONNECTION_OK { throw abandonPipeline() }
        }
        guard let sync = PQgetResult(handle) else { throw abandonPipeline() }
        let synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC
        PQclear(sync)
        guard synced, PQexitPipelineMode(handle) == 1 else { throw abandonPipeline() }
        if let failure { throw failure }
        return last
    }

    /// The connection cannot finish the pipeline (lost, or libpq refused): it is unusable until
    /// ``reset()``; nothing of the transaction is committed.
    private func abandonPipeline() -> PostgresError {
        let error = connectionError()
        // Still connected but out of step: connect again, so the next transaction starts clean.
        if isOK { reset() }
        return error
    }

    private func connectionError() -> PostgresError {
        PostgresError(kind: .connection, sqlState: nil, message: Self.text(PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func rows(of result: OpaquePointer?, sql: String) throws(PostgresError) -> PostgresRows {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(columns: [], rows: [], affectedRows: Int(Self.text(PQcmdTuples(result))) ?? 0)
        case PGRES_TUPLES_OK:
            let columnCount = PQnfields(result), rowCount = PQntuples(result)
            let columns = (0..<columnCount).map { Self.text(PQfname(result, $0)) }
            let rows = (0..<rowCount).map { row in
                (0..<columnCount).map { column -> String? in
                    PQgetisnull(result, row, column) == 1 ? nil : Self.text(PQgetvalue(result, row, column))
                }
            }
            return PostgresRows(columns: columns, rows: rows, affectedRows: Int(Self.text(PQcmdTuples(result))) ?? 0)
        default:
            throw error(of: result, sql: sql)
        }
    }

    /// Whether a transaction is open on the server (so a failed one must be rolled back).
    public var inTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Runs `body` in one transaction (`BEGIN … COMMIT`; any error rolls it back). A
    /// serialization failure or deadlock is retried up to `attempts` times from the start, so
    /// `body` must do nothing outside the database that it cannot repeat.
    public func transaction<T>(isolation: String = "READ COMMITTED", attempts: Int = 5,
                               _ body: (PostgresConnection) throws(PostgresError) -> T) throws(PostgresError) -> T {
        var attempt = 1
        while true {
            do {
                try execute("BEGIN ISOLATION LEVEL \(isolation)")
                let value = try body(self)
                try execute("COMMIT")
                return value
            } catch {
                _ = try? execute("ROLLBACK")
                guard error.isRetryable, attempt < attempts else { throw error }
                attempt += 1
            }
        }
    }

    /// Whether the connection still works (after a server restart it does not).
    public var isOK: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Connects again with the same parameters (after the server restarted); false if it cannot.
    @discardableResult
    public func reset() -> Bool {
        queued.removeAll()
        prepared.removeAll()
        PQreset(handle)
        if PQpipelineStatus(handle) != PQ_PIPELINE_OFF { PQexitPipelineMode(handle) }
        return isOK
    }

    /// The server's refusal of `sql` (named by its first line, for the admin's log, unless a retry will follow).
    private func error(of result: OpaquePointer?, sql: String) -> PostgresError {
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        var message = Self.text(PQresultErrorMessage(result)).isEmpty ? Self.text(PQerrorMessage(handle)) : Self.text(PQresultErrorMessage(result))
        message = message.trimmingCharacters(in: .whitespacesAndNewlines)
        let lost = PQstatus(handle) != CONNECTION_OK
        var failure = PostgresError(kind: lost ? .connection : .statement, sqlState: state, message: message)
        if !lost, !failure.isRetryable {
            let line = sql.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            failure = PostgresError(kind: .statement, sqlState: state, message: "\(message) [in: \(line.prefix(160))]")
        }
        return failure
    }

    private static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// Calls `body` with the statement's parameter count, type OIDs (or NULL) and C strings
    /// (NULL for nil), valid during the call.
    private static func withParameters<R>(_ statement: Statement,
                                          _ body: (Int32, UnsafePointer<Oid>?, [UnsafePointer<CChar>?]) -> R) -> R {
        let storage: [UnsafeMutablePointer<CChar>?] = statement.parameters.map { $0.map { strdup($0) } ?? nil }
        defer { storage.forEach { free($0) } }
        let oids = statement.types.map(\.rawValue)
        return oids.withUnsafeBufferPointer { oids in
            body(Int32(statement.parameters.count), oids.isEmpty ? nil : oids.baseAddress, storage.map { $0.map { UnsafePointer($0) } })
        }
    }
}
