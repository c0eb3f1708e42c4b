import Foundation
import QuotaDB

/// The shared engine of several print servers: one PostgreSQL database through libpq.
///
/// Every write is one `SERIALIZABLE` transaction, retried from the start on a serialisation
/// failure or deadlock (SQLSTATE 40001, 40P01): two servers racing for the last euro behave as if
/// one ran after the other, as two processes do on SQLite's write lock, so the store's logic is
/// the same on both engines.
///
/// Failure policies:
/// - The server cannot be reached, or the connection is lost mid-transaction →
///   ``QuotaError/databaseUnavailable(path:detail:)``; nothing was committed unless COMMIT had
///   returned, and the caller (the backend) holds the job. A lost connection is re-established
///   once at the next transaction.
/// - Collisions still failing when the busy timeout has passed, or a lock or statement timeout →
///   ``QuotaError/databaseBusy(path:timeoutSeconds:)``.
/// - A database from a newer Tollgate → ``QuotaError/newerSchema(path:found:supported:)``; an
///   empty one is created only when asked (`create`), under an advisory lock so two servers
///   creating it at once make it once.
/// - Passwords never appear in messages: the location is the URI without its password.
public final class PostgreSQLEngine: SQLEngine, @unchecked Sendable {
    private let connection: PostgresConnection
    private let lock = NSLock()
    private let busyTimeout: TimeInterval
    public let locationDescription: String

    /// Connects with a libpq connection string or URI and brings the schema to the current version.
    public init(conninfo: String, create: Bool, busyTimeout: TimeInterval = 5) throws(QuotaError) {
        let location = Self.redacted(conninfo)
        self.locationDescription = location
        self.busyTimeout = busyTimeout
        do {
            connection = try PostgresConnection(conninfo)
            // A transaction waits for another's row lock at most this long (then busy, as SQLite).
            try connection.execute("SET lock_timeout = \(Int(busyTimeout * 1000))")
            try connection.execute("SET statement_timeout = \(Int(max(busyTimeout, 30) * 1000))")
        } catch {
            throw Self.map(error, location: location, timeout: busyTimeout)
        }
        try migrate(create: create)
    }

    private func migrate(create: Bool) throws(QuotaError) {
        let version = try schemaVersion()
        if version > PostgresSchema.currentVersion {
            throw .newerSchema(path: locationDescription, found: version, supported: PostgresSchema.currentVersion)
        }
        guard version < PostgresSchema.currentVersion else { return }
        if version == 0 && !create { throw .databaseMissing(path: locationDescription) }
        try write(rollback: false, durable: true) { db in
            // One server migrates; another waits here, then sees the new version and does nothing.
            try db.run(sql: "SELECT pg_advisory_xact_lock(7340027)")
            try db.run(sql: "CREATE TABLE IF NOT EXISTS tollgate_schema (version BIGINT NOT NULL)")
            var current = try db.value(Int.self, sql: "SELECT max(version) FROM tollgate_schema") ?? 0
            if current == 0 {
                let tables = try db.values(String.self, sql: """
                    SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'tollgate_schema'
                    """)
                if !tables.isEmpty {
                    throw QuotaError.corruptDatabase(path: self.locationDescription,
                                                     detail: "it is a database of another program (tables: \(tables.prefix(5).joined(separator: ", ")))")
                }
            }
            for migration in PostgresSchema.migrations where migration.version > current {
                for statement in migration.statements { try db.run(sql: statement) }
                try db.run(sql: "INSERT INTO tollgate_schema(version) VALUES (?)", arguments: [migration.version])
                current = migration.version
            }
        }
    }

    public func schemaVersion() throws(QuotaError) -> Int {
        try read { db in
            guard try db.value(Bool.self, sql: "SELECT to_regclass('tollgate_schema') IS NOT NULL") == true else { return 0 }
            return try db.value(Int.self, sql: "SELECT max(version) FROM tollgate_schema") ?? 0
        }
    }

    public func write<T>(rollback: Bool, durable: Bool, _ body: (any SQLSession) throws -> T) throws(QuotaError) -> T {
        // Every PostgreSQL commit is durable (synchronous_commit on): `durable` asks nothing more.
        try transaction(begin: "BEGIN ISOLATION LEVEL SERIALIZABLE", rollback: rollback, body)
    }

    public func ledgerGuards(_ db: any SQLSession) throws -> (required: [String], present: Set<String>) {
        (["ledger_append_only", "ledger_no_truncate"],
         Set(try db.values(String.self, sql: "SELECT tgname FROM pg_trigger WHERE tgrelid = 'ledger'::regclass AND NOT tgisinternal AND tgenabled <> 'D'")))
    }

    public func afterCopy(_ db: any SQLSession) throws {
        for table in ["account", "ledger", "schedule", "job_event", "voucher_batch", "notification"] {
            try db.run(sql: "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), COALESCE(max(id), 0) + 1, false) FROM \(table)")
        }
    }

    public func read<T>(_ body: (any SQLSession) throws -> T) throws(QuotaError) -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", rollback: true, body)
    }

    /// Runs `body` between `begin` and COMMIT (or ROLLBACK). `BEGIN` and the statements whose
    /// outcome the logic does not read are queued and go with the next statement that answers
    /// (``PostgresConnection/queue(_:_:types:)``): the commit carries the last writes.
    private func transaction<T>(begin: String, rollback: Bool, _ body: (any SQLSession) throws -> T) throws(QuotaError) -> T {
        lock.lock()
        defer { lock.unlock() }
        if !connection.isOK { connection.reset() }
        let session = PostgresSession(connection: connection)
        // A colliding transaction is tried again until the busy timeout has passed (as SQLite
        // waits for its write lock that long), so a burst of jobs for one wallet queues up.
        let deadline = Date().addingTimeInterval(busyTimeout)
        var attempt = 1
        var reconnected = false, replanned = false
        while true {
            let exchangesBefore = connection.exchanges
            var committing = false
            do {
                connection.queue(begin)
                let value = try body(session)
                if rollback {
                    connection.discardQueued()
                    if connection.inTransaction { try connection.execute("ROLLBACK") }
                } else {
                    committing = true
                    try connection.execute("COMMIT")
                }
                return value
            } catch {
                connection.discardQueued()
                if connection.isOK && connection.inTransaction { _ = try? connection.execute("ROLLBACK") }
                if let failure = error as? PostgresError {
                    // A connection kept open across jobs (the gate service) finds out only at a
                    // transaction's first exchange that the server restarted: nothing of it ran
                    // (BEGIN went with that exchange), so connect again, once. Not when that
                    // exchange carried the COMMIT: it may have been committed before the loss.
                    if failure.kind == .connection, !reconnected, !committing, connection.exchanges == exchangesBefore + 1 {
                        reconnected = true
                        connection.reset()
                        continue
                    }
                    // A prepared statement whose result no longer fits the schema (another
                    // server migrated it): prepare them again, once.
                    if failure.sqlState == "0A000", !replanned {
                        replanned = true
                        connection.forgetPreparedStatements()
                        continue
                    }
                    if failure.isRetryable, Date() < deadline {
                        attempt += 1
                        // A short, growing, jittered pause, so colliding servers do not collide again.
                        usleep(UInt32.random(in: 0...UInt32(1_000 * (1 << min(attempt, 7)))))
                        continue
                    }
                }
                throw Self.map(error, location: locationDescription, timeout: busyTimeout)
            }
        }
    }

    static func map(_ error: any Error, location: String, timeout: TimeInterval) -> QuotaError {
        if let error = QuotaError.mapCommon(error) { return error }
        guard let error = error as? PostgresError else { return .databaseUnavailable(path: location, detail: "\(error)") }
        switch (error.kind, error.sqlState) {
        case (.connection, _):
            return .databaseUnavailable(path: location, detail: error.message)
        case (_, "40001"?), (_, "40P01"?), (_, "55P03"?), (_, "57014"?):
            return .databaseBusy(path: location, timeoutSeconds: timeout)
        default:
            return .databaseUnavailable(path: location, detail: error.description)
        }
    }

    /// The connection string without its password (`password=…` or `user:password@`).
    static func redacted(_ conninfo: String) -> String {
        var text = conninfo
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
           let colon = text[scheme.upperBound..<at].firstIndex(of: ":") {
            text.replaceSubrange(colon..<at, with: ":***")
        }
        return text.replacingOccurrences(of: #"password\s*=\s*('[^']*'|\S+)"#, with: "password=***", options: .regularExpression)
    }
}

/// The store's statements on one libpq connection: `?` placeholders become `$1…$n`, parameters
/// are bound with their types (never spliced), values come back in text format; queued
/// statements go with the next one that answers.
struct PostgresSession: SQLSession {
    let connection: PostgresConnection

    func run(sql: String, arguments: SQLArguments) throws -> Int {
        try execute(sql, arguments).affectedRows
    }

    func queue(sql: String, arguments: SQLArguments) throws {
        let (text, types) = Self.bind(arguments)
        connection.queue(Self.numbered(sql), text, types: types)
    }

    private func execute(_ sql: String, _ arguments: SQLArguments) throws(PostgresError) -> PostgresRows {
        let (text, types) = Self.bind(arguments)
        return try connection.execute(Self.numbered(sql), text, types: types)
    }

    func rows(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        let result = try execute(sql, arguments)
        return result.rows.map { values in
            SQLRow(columns: result.columns, values: values.map { $0.map(SQLValue.text) ?? .null })
        }
    }

    func forEachRow(sql: String, arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws {
        for row in try rows(sql: sql, arguments: arguments) { try body(row) }
    }

    static func bind(_ arguments: SQLArguments) -> ([String?], [PostgresType]) {
        var text: [String?] = [], types: [PostgresType] = []
        for value in arguments.values {
            switch value {
            case .null: text.append(nil); types.append(.unknown)
            case .integer(let v): text.append(String(v)); types.append(.int8)
            case .real(let v): text.append(String(v)); types.append(.float8)
            case .text(let v): text.append(v); types.append(.text)
            case .blob(let v): text.append("\\x" + v.map { String(format: "%02x", $0) }.joined()); types.append(.bytea)
            }
        }
        return (text, types)
    }

    /// `?` → `$1`, `$2` … and SQLite's numbered `?NNN` → `$NNN`, outside quoted strings and identifiers.
    static func numbered(_ sql: String) -> String {
        var out = "", n = 0
        var quote: Character?
        var chars = sql.makeIterator()
        var pending = chars.next()
        while let c = pending {
            pending = chars.next()
            if let q = quote {
                if c == q { quote = nil }
                out.append(c)
            } else if c == "'" || c == "\"" {
                quote = c
                out.append(c)
            } else if c == "?" {
                var digits = ""
                while let d = pending, d.isASCII, d.isNumber { digits.append(d); pending = chars.next() }
                if digits.isEmpty { n += 1; digits = String(n) }
                out += "$" + digits
            } else {
                out.append(c)
            }
        }
        return out
    }
}
