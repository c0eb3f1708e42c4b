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
/// Blocking calls, text parameters and results (`$1`, `$2` … bound with PQexecParams, never
/// spliced into SQL). libpq reads passwords from its passfile (`~/.pgpass`, `PGPASSFILE`) or
/// uses peer / certificate authentication: a connection string here never needs one.
public final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer

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

    /// Runs one statement with `parameters` bound to `$1…$n`; rows for a query, none otherwise.
    /// `types`: each parameter's type OID (``PostgresType``), or none: the server infers them.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = [], types: [PostgresType] = []) throws(PostgresError) -> PostgresRows {
        precondition(types.isEmpty || types.count == parameters.count, "one type per parameter")
        let oids = types.map(\.rawValue)
        let result = Self.withCStrings(parameters) { values in
            oids.withUnsafeBufferPointer { oids in
                PQexecParams(handle, sql, Int32(parameters.count), oids.isEmpty ? nil : oids.baseAddress, values, nil, nil, 0)
            }
        }
        defer { PQclear(result) }
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
            throw error(of: result)
        }
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
        PQreset(handle)
        return isOK
    }

    private func error(of result: OpaquePointer?) -> PostgresError {
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let message = Self.text(PQresultErrorMessage(result)).isEmpty ? Self.text(PQerrorMessage(handle)) : Self.text(PQresultErrorMessage(result))
        let lost = PQstatus(handle) != CONNECTION_OK
        return PostgresError(kind: lost ? .connection : .statement, sqlState: state,
                             message: message.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// Calls `body` with C strings for `values` (NULL for nil), valid during the call.
    private static func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        var storage: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } ?? nil }
        defer { storage.forEach { free($0) } }
        return body(storage.map { $0.map { UnsafePointer($0) } })
    }
}
