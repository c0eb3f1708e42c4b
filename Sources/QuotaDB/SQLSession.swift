import Foundation

// The seam between the quota store's logic and the database engine under it (SQLite through GRDB,
// or PostgreSQL through libpq). The store's logic — reservations, the wallet chain, the ledger,
// release, the API's tables — is written once, as SQL both engines accept, against these types;
// an engine only opens, runs transactions and moves values.
//
// The SQL is the common dialect of SQLite ≥ 3.39 and PostgreSQL ≥ 12: `?` placeholders (an engine
// may rewrite them), `INSERT … ON CONFLICT … DO NOTHING / DO UPDATE SET … = excluded.…`,
// `RETURNING`, `IS [NOT] DISTINCT FROM`, integers for flags (0/1) and instants (Unix ms), the
// table `"user"` quoted (a reserved word in PostgreSQL), and `COLLATE NOCASE` (PostgreSQL's
// schema defines a case-insensitive collation of that name).

/// One value going into or coming out of a statement.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// A Swift type that a statement's parameter or column can be.
///
/// Decoding accepts both an engine's typed values (SQLite) and text (PostgreSQL's text format:
/// `123`, `t`/`f`, `\x…` for bytea), so a column reads the same on both.
public protocol SQLValueConvertible: Sendable {
    var sqlValue: SQLValue { get }
    init?(sqlValue: SQLValue)
}

extension Int64: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(let value): self = value
        case .real(let value): guard let exact = Int64(exactly: value) else { return nil }; self = exact
        case .text(let text): guard let value = Int64(text) else { return nil }; self = value
        case .null, .blob: return nil
        }
    }
}

extension Int: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue), let int = Int(exactly: value) else { return nil }
        self = int
    }
}

extension Bool: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(let value): self = value != 0
        case .text("t"), .text("true"): self = true
        case .text("f"), .text("false"): self = false
        case .text(let text): guard let value = Int64(text) else { return nil }; self = value != 0
        case .real(let value): self = value != 0
        case .null, .blob: return nil
        }
    }
}

extension Double: SQLValueConvertible {
    public var sqlValue: SQLValue { .real(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        case .text(let text): guard let value = Double(text) else { return nil }; self = value
        case .null, .blob: return nil
        }
    }
}

extension String: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .text(let text): self = text
        case .integer(let value): self = String(value)
        case .real(let value): self = String(value)
        case .blob(let data): guard let text = String(data: data, encoding: .utf8) else { return nil }; self = text
        case .null: return nil
        }
    }
}

extension Data: SQLValueConvertible {
    public var sqlValue: SQLValue { .blob(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .blob(let data): self = data
        case .text(let text):
            // PostgreSQL's bytea in hex output format.
            guard text.hasPrefix("\\x"), let data = Data(hexDigits: text.dropFirst(2)) else { return nil }
            self = data
        case .null, .integer, .real: return nil
        }
    }
}

extension Data {
    init?(hexDigits: Substring) {
        guard hexDigits.utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(hexDigits.utf8.count / 2)
        var high: UInt8?
        for c in hexDigits.utf8 {
            let nibble: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high { bytes.append(h << 4 | nibble); high = nil } else { high = nibble }
        }
        self.init(bytes)
    }
}

/// A statement's parameters, in order.
public struct SQLArguments: Sendable, ExpressibleByArrayLiteral {
    public private(set) var values: [SQLValue]

    public init(_ values: [(any SQLValueConvertible)?] = []) {
        self.values = values.map { $0?.sqlValue ?? .null }
    }

    public init(arrayLiteral elements: (any SQLValueConvertible)?...) {
        self.init(elements)
    }

    public mutating func append(_ value: (any SQLValueConvertible)?) {
        values.append(value?.sqlValue ?? .null)
    }

    public static func += (lhs: inout SQLArguments, rhs: SQLArguments) {
        lhs.values += rhs.values
    }
}

/// One result row, read by column name (or position).
public struct SQLRow: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    func value(_ column: String) -> SQLValue {
        guard let index = columns.firstIndex(of: column) else {
            preconditionFailure("no column \(column) in the result (\(columns.joined(separator: ", ")))")
        }
        return values[index]
    }

    /// The column's value; NULL reads as nil.
    public subscript<T: SQLValueConvertible>(_ column: String) -> T? {
        let value = value(column)
        if value == .null { return nil }
        guard let converted = T(sqlValue: value) else {
            preconditionFailure("column \(column) holds \(value), not a \(T.self)")
        }
        return converted
    }

    /// The column's value, which must not be NULL (the schema says NOT NULL).
    public subscript<T: SQLValueConvertible>(_ column: String) -> T {
        guard let converted: T = self[column] else { preconditionFailure("column \(column) is NULL") }
        return converted
    }

    public subscript<T: SQLValueConvertible>(_ index: Int) -> T? {
        let value = values[index]
        return value == .null ? nil : T(sqlValue: value)
    }

    public subscript<T: SQLValueConvertible>(_ index: Int) -> T {
        guard let converted: T = self[index] else { preconditionFailure("column \(index) is NULL or not a \(T.self)") }
        return converted
    }
}

/// One transaction on the store's database: what the store's logic runs.
public protocol SQLSession {
    /// Runs a statement that returns no rows; returns how many rows it changed.
    @discardableResult
    func run(sql: String, arguments: SQLArguments) throws -> Int
    /// Runs a statement whose outcome the logic does not read (an insert or update on the hot
    /// path): an engine may send it with the next statement that answers, or with the commit
    /// (PostgreSQL pipelines them: one network round trip for several statements). Statements
    /// still run in order; a failure fails the transaction where it surfaces (at the latest, the
    /// commit), so nothing a queued statement did is committed without it.
    func queue(sql: String, arguments: SQLArguments) throws
    /// Runs a query and returns all its rows.
    func rows(sql: String, arguments: SQLArguments) throws -> [SQLRow]
    /// Calls `body` for each row of a query without keeping them all (large scans).
    func forEachRow(sql: String, arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws
}

extension SQLSession {
    @discardableResult
    public func run(sql: String) throws -> Int { try run(sql: sql, arguments: []) }

    public func queue(sql: String) throws { try queue(sql: sql, arguments: []) }

    public func rows(sql: String) throws -> [SQLRow] { try rows(sql: sql, arguments: []) }

    /// The first row, if any.
    public func row(sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try rows(sql: sql, arguments: arguments).first
    }

    /// The first column of the first row; nil if there is no row or it is NULL.
    public func value<T: SQLValueConvertible>(_ type: T.Type, sql: String, arguments: SQLArguments = []) throws -> T? {
        guard let row = try row(sql: sql, arguments: arguments), let first = row.values.first, first != .null else { return nil }
        guard let value = T(sqlValue: first) else { throw SQLSessionError.unexpectedValue(first, T.self) }
        return value
    }

    /// The first column of every row (NULLs skipped).
    public func values<T: SQLValueConvertible>(_ type: T.Type, sql: String, arguments: SQLArguments = []) throws -> [T] {
        try rows(sql: sql, arguments: arguments).compactMap { row in
            guard let first = row.values.first, first != .null else { return nil }
            guard let value = T(sqlValue: first) else { throw SQLSessionError.unexpectedValue(first, T.self) }
            return value
        }
    }
}

enum SQLSessionError: Error, CustomStringConvertible {
    case unexpectedValue(SQLValue, Any.Type)
    var description: String {
        switch self {
        case .unexpectedValue(let value, let type): "a column holds \(value), not a \(type)"
        }
    }
}

/// A database engine the quota store runs on: it opens the database (creating and migrating the
/// schema), and runs the store's transactions.
///
/// Failure policy shared by every engine: an error inside `body` rolls the whole transaction
/// back; errors are mapped to ``QuotaError`` (busy → `databaseBusy`, unreachable →
/// `databaseUnavailable`), so the backend holds the job instead of printing for free.
public protocol SQLEngine: Sendable {
    /// Where the data is, for messages (a file path or a connection URI without its password).
    var locationDescription: String { get }
    /// The schema version of the database (after migration).
    func schemaVersion() throws(QuotaError) -> Int
    /// Runs `body` as one serialisable write transaction: two stores (processes, print servers)
    /// running it at once behave as if one ran after the other. `rollback`: rolled back even on
    /// success (a dry run). `durable`: the commit survives a power loss when the call returns (a
    /// job's end). `body` may run more than once (an engine retries on a serialisation failure),
    /// so it must have no effect outside the session.
    func write<T>(rollback: Bool, durable: Bool, _ body: (any SQLSession) throws -> T) throws(QuotaError) -> T
    /// The triggers that keep the ledger append-only: those the schema requires, those present
    /// (`tollgate check` reports a missing one: the ledger could be rewritten).
    func ledgerGuards(_ db: any SQLSession) throws -> (required: [String], present: Set<String>)
    /// After rows were copied in with their ids (``SQLQuotaStore/copy(to:)``): makes the next
    /// generated ids follow them.
    func afterCopy(_ db: any SQLSession) throws
    /// Runs `body` in a read-only transaction (a consistent snapshot).
    func read<T>(_ body: (any SQLSession) throws -> T) throws(QuotaError) -> T
}
