import CSQLiteSupport
import Foundation
import GRDB

/// The embedded engine: one SQLite file in WAL mode, private to its owner (0600, with its `-wal`
/// and `-shm`: ``DatabaseFiles``), through GRDB.
///
/// Opening is cheap (one connection, no pool) because the backend opens it once per job.
/// Every change is one short `BEGIN IMMEDIATE` transaction with a busy timeout: two processes
/// racing for the last euro are serialised by SQLite's write lock, and the second one sees the
/// first one's reservation.
public struct SQLiteEngine: SQLEngine {
    public let location: DatabaseLocation
    let queue: DatabaseQueue
    let busyTimeout: TimeInterval
    let durableCommits: Bool

    public var locationDescription: String { location.path }

    /// Opens (or with `create`, creates) the database file at `location` and brings its schema to
    /// the current version.
    ///
    /// Refuses, without writing anything, a file that is not SQLite or is damaged
    /// (``QuotaError/corruptDatabase(path:detail:)``), another program's SQLite database, an empty
    /// file (unless `create`) and a database from a newer Tollgate
    /// (``QuotaError/newerSchema(path:found:supported:)``).
    ///
    /// `durableCommits`: `true`: `synchronous = FULL` (every commit fsynced); `false`: `NORMAL`
    /// (in WAL mode never corrupted, a process crash loses nothing, a power loss may forget the last
    /// commits; ``SQLEngine/write(rollback:durable:_:)`` with `durable` fsyncs a job's end anyway).
    public init(location: DatabaseLocation, create: Bool, busyTimeout: TimeInterval, durableCommits: Bool) throws(QuotaError) {
        let path = location.path
        guard !location.isPostgreSQL else {
            throw .databaseUnavailable(path: path, detail: "a PostgreSQL database is opened with SQLQuotaStore.open (module PostgreSQLStore)")
        }
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists {
            guard create else { throw .databaseMissing(path: path) }
            try DatabaseFiles.create(path)
        }
        if exists, !create,
           let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue == 0 {
            // An empty file: never initialise it implicitly (opening in WAL mode would write to it).
            throw .databaseMissing(path: path)
        }
        DatabaseFiles.makePrivate(path)
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.journalMode = .wal
        config.label = "tollgate-quota"
        config.prepareDatabase { db in
            try db.execute(sql: durableCommits ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            try db.keepWriteAheadLog()
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw SQLiteEngine.map(error, path: path, timeout: busyTimeout)
        }
        self.location = location
        self.busyTimeout = busyTimeout
        self.durableCommits = durableCommits
        try migrate(create: create)
    }

    /// Checks the schema version and migrates an older database.
    private func migrate(create: Bool) throws(QuotaError) {
        let path = location.path
        do {
            let version = try queue.read { db -> Int in
                // Reading the schema also makes SQLite validate the file header.
                _ = try Row.fetchAll(db, sql: "SELECT name FROM sqlite_master LIMIT 1")
                return try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            }
            if version > SchemaMigrations.currentVersion {
                throw QuotaError.newerSchema(path: path, found: version, supported: SchemaMigrations.currentVersion)
            }
            if version == 0 && !create {
                // An empty file (or someone else's database): never initialise it implicitly.
                throw QuotaError.databaseMissing(path: path)
            }
            guard version < SchemaMigrations.currentVersion else { return }
            try queue.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    let foreign = try String.fetchAll(db, sql: """
                        SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                        """)
                    let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                    if version == 0 && !foreign.isEmpty {
                        throw QuotaError.corruptDatabase(path: path, detail: "it is a SQLite database of another program (tables: \(foreign.prefix(5).joined(separator: ", ")))")
                    }
                    return .commit
                }
            }
            let migrator = SchemaMigrations.migrator
            try queue.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw QuotaError.newerSchema(path: path, found: version, supported: SchemaMigrations.currentVersion)
                }
            }
            try migrator.migrate(queue)
        } catch {
            throw SQLiteEngine.map(error, path: path, timeout: busyTimeout)
        }
    }

    public func schemaVersion() throws(QuotaError) -> Int {
        try read { session in try session.value(Int.self, sql: "PRAGMA user_version") ?? 0 }
    }

    public func write<T>(rollback: Bool, durable: Bool, _ body: (any SQLSession) throws -> T) throws(QuotaError) -> T {
        // A durable commit fsyncs the WAL, which makes it and every earlier commit durable.
        let raise = durable && !durableCommits
        if raise { try? queue.inDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") } }
        defer { if raise { try? queue.inDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") } } }
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(GRDBSession(db: db))
                    return rollback ? .rollback : .commit
                }
                return result!
            }
        } catch {
            throw SQLiteEngine.map(error, path: location.path, timeout: busyTimeout)
        }
    }

    public func ledgerGuards(_ db: any SQLSession) throws -> (required: [String], present: Set<String>) {
        (["ledger_no_update", "ledger_no_delete"],
         Set(try db.values(String.self, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ledger'")))
    }

    /// AUTOINCREMENT follows the largest id inserted: nothing to do.
    public func afterCopy(_ db: any SQLSession) throws {}

    public func read<T>(_ body: (any SQLSession) throws -> T) throws(QuotaError) -> T {
        do {
            return try queue.read { db in try body(GRDBSession(db: db)) }
        } catch {
            throw SQLiteEngine.map(error, path: location.path, timeout: busyTimeout)
        }
    }

    /// Translates SQLite and Money errors into ``QuotaError``.
    static func map(_ error: any Error, path: String, timeout: TimeInterval) -> QuotaError {
        if let error = QuotaError.mapCommon(error) { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return .databaseBusy(path: path, timeoutSeconds: timeout)
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                return .corruptDatabase(path: path, detail: error.message ?? "file is not a database")
            case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_FULL, .SQLITE_IOERR:
                return .databaseUnavailable(path: path, detail: error.message ?? "\(error.resultCode)")
            default:
                return .databaseUnavailable(path: path, detail: error.message ?? "\(error)")
            }
        }
        return .databaseUnavailable(path: path, detail: "\(error)")
    }
}

/// The store's statements on one GRDB connection. Statements are cached per connection: the
/// backend's hot path (authorize) runs the same dozen statements per job, and compiling them each
/// time (with GRDB's region analysis) was most of its cost.
struct GRDBSession: SQLSession {
    let db: Database

    func run(sql: String, arguments: SQLArguments) throws -> Int {
        try db.cachedStatement(sql: sql).execute(arguments: Self.grdb(arguments))
        return db.changesCount
    }

    /// SQLite is in the process: nothing to save by waiting.
    func queue(sql: String, arguments: SQLArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: Self.grdb(arguments))
    }

    func rows(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        var result: [SQLRow] = []
        try forEachRow(sql: sql, arguments: arguments) { result.append($0) }
        return result
    }

    func forEachRow(sql: String, arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws {
        let statement = try db.cachedStatement(sql: sql)
        let columns = statement.columnNames
        let cursor = try Row.fetchCursor(statement, arguments: Self.grdb(arguments))
        while let row = try cursor.next() {
            try body(SQLRow(columns: columns, values: (0..<columns.count).map { Self.value(row[$0] as DatabaseValue) }))
        }
    }

    static func grdb(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(arguments.values.map { value -> DatabaseValue in
            switch value {
            case .null: .null
            case .integer(let v): v.databaseValue
            case .real(let v): v.databaseValue
            case .text(let v): v.databaseValue
            case .blob(let v): v.databaseValue
            }
        })
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let v): .integer(v)
        case .double(let v): .real(v)
        case .string(let v): .text(v)
        case .blob(let v): .blob(v)
        }
    }
}

extension Database {
    /// The backend opens the database once per job. SQLite's defaults made that cost four fsyncs
    /// per job on top of the transactions themselves: the WAL was created (header fsync, directory
    /// fsync) at the first write, and checkpointed (WAL fsync, database fsync) and deleted when the
    /// connection closed. The WAL is now kept between connections and checkpointed only when it
    /// reaches SQLite's auto-checkpoint size; a job's settlement (or refund) is committed with
    /// `synchronous = FULL`, so once a job has ended its charge survives a power loss, as it did
    /// when every close checkpointed.
    func keepWriteAheadLog() throws {
        let rc = tollgate_sqlite_keep_wal(sqliteConnection)
        if rc != 0 { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: "cannot keep the write-ahead log") }
    }
}
