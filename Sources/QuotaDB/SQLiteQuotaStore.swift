import Foundation
import GRDB
import Pricing

/// The embedded quota store: one SQLite file in WAL mode, private to its owner (0600, with its
/// `-wal` and `-shm`: ``DatabaseFiles``).
///
/// Opening is cheap (one connection, no pool) because the backend opens it once per job.
/// Every change is one short `BEGIN IMMEDIATE` transaction with a busy timeout: two processes
/// racing for the last euro are serialised by SQLite's write lock, and the second one sees the
/// first one's reservation.
public struct SQLiteQuotaStore: QuotaStore {
    /// How to open the store.
    public struct Options: Sendable {
        /// Create the file (and its directory) if it does not exist.
        public var create: Bool
        /// The site currency; required to create a database, checked against an existing one when given.
        public var currency: Currency?
        /// How long to wait for another writer before failing with ``QuotaError/databaseBusy(path:timeoutSeconds:)``.
        public var busyTimeout: TimeInterval
        /// `true`: `synchronous = FULL`: every commit is fsynced before the call returns (survives power loss).
        /// `false` (default): `NORMAL`: in WAL mode the database is never corrupted and a process crash
        /// loses nothing, but a power loss may forget the last commits (jobs in flight at that moment).
        /// FULL costs one fsync per authorisation (measured: ~130/s instead of >1000/s on this disk).
        public var durableCommits: Bool
        /// System groups (NSS by default).
        public var systemGroups: any SystemGroupResolver
        /// The clock (tests pin it).
        public var clock: @Sendable () -> Date
        /// The time zone of scheduled-credit periods (days, weeks, months) and of dates admins type.
        public var timeZone: TimeZone

        public init(create: Bool = false, currency: Currency? = nil, busyTimeout: TimeInterval = 5,
                    durableCommits: Bool = false, systemGroups: any SystemGroupResolver = NSSGroupResolver(),
                    clock: @escaping @Sendable () -> Date = { Date() }, timeZone: TimeZone = .current) {
            self.create = create
            self.currency = currency
            self.busyTimeout = busyTimeout
            self.durableCommits = durableCommits
            self.systemGroups = systemGroups
            self.clock = clock
            self.timeZone = timeZone
        }
    }

    public let location: DatabaseLocation
    /// The currency every amount in this database is in.
    public let currency: Currency
    let queue: DatabaseQueue
    let options: Options

    /// Opens (or with `options.create`, creates) the database at `location`.
    ///
    /// Refuses, without writing anything, a file that is not SQLite or is damaged
    /// (``QuotaError/corruptDatabase(path:detail:)``), a database from a newer Tollgate
    /// (``QuotaError/newerSchema(path:found:supported:)``) and a currency mismatch.
    public init(location: DatabaseLocation, options: Options = Options()) throws(QuotaError) {
        let path = location.path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists {
            guard options.create else { throw .databaseMissing(path: path) }
            guard options.currency != nil else { throw .currencyRequired(path: path) }
            try DatabaseFiles.create(path)
        }
        if exists, !options.create,
           let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue == 0 {
            // An empty file: never initialise it implicitly (opening in WAL mode would write to it).
            throw .databaseMissing(path: path)
        }
        DatabaseFiles.makePrivate(path)
        var config = Configuration()
        config.busyMode = .timeout(options.busyTimeout)
        config.journalMode = .wal
        config.label = "tollgate-quota"
        let durable = options.durableCommits
        config.prepareDatabase { db in
            try db.execute(sql: durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            try db.keepWriteAheadLog()
        }
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw SQLiteQuotaStore.map(error, path: path, timeout: options.busyTimeout)
        }
        self.location = location
        self.queue = queue
        self.options = options
        self.currency = try SQLiteQuotaStore.prepareSchema(queue, path: path, options: options)
    }

    /// Checks the schema version, migrates an older database, and reads the site currency.
    private static func prepareSchema(_ queue: DatabaseQueue, path: String, options: Options) throws(QuotaError) -> Currency {
        do {
            let version = try queue.read { db -> Int in
                // Reading the schema also makes SQLite validate the file header.
                _ = try Row.fetchAll(db, sql: "SELECT name FROM sqlite_master LIMIT 1")
                return try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            }
            if version > SchemaMigrations.currentVersion {
                throw QuotaError.newerSchema(path: path, found: version, supported: SchemaMigrations.currentVersion)
            }
            if version == 0 && !options.create {
                // An empty file (or someone else's database): never initialise it implicitly.
                throw QuotaError.databaseMissing(path: path)
            }
            if version < SchemaMigrations.currentVersion {
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
            }
            // The common case (an existing database) is a read: opening never takes the write lock.
            if let stored = try queue.read({ db in try storedCurrency(db) }) {
                if let wanted = options.currency, wanted != stored {
                    throw QuotaError.currencyMismatch(expected: stored.code, found: wanted.code)
                }
                return stored
            }
            guard let wanted = options.currency else { throw QuotaError.currencyRequired(path: path) }
            return try queue.writeWithoutTransaction { db -> Currency in
                var result = wanted
                try db.inTransaction(.immediate) {
                    if let stored = try storedCurrency(db) {           // another process created it meanwhile
                        guard stored == wanted else { throw QuotaError.currencyMismatch(expected: stored.code, found: wanted.code) }
                        result = stored
                        return .commit
                    }
                    try db.execute(sql: "INSERT INTO setting(key, value) VALUES ('currency.code', ?), ('currency.exponent', ?)",
                                   arguments: [wanted.code, String(wanted.exponent)])
                    return .commit
                }
                return result
            }
        } catch {
            throw map(error, path: path, timeout: options.busyTimeout)
        }
    }

    private static func storedCurrency(_ db: Database) throws -> Currency? {
        let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM setting WHERE key IN ('currency.code', 'currency.exponent')")
        var values: [String: String] = [:]
        for row in rows { values[row["key"]] = row["value"] }
        guard let code = values["currency.code"], let exponent = values["currency.exponent"].flatMap({ Int($0) }) else { return nil }
        return try Currency(code: code, exponent: exponent)
    }

    // MARK: - Transactions

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction; any error rolls everything back.
    /// With `rollback`, it is rolled back even on success (a dry run that sees exactly what a real
    /// run would).
    func write<T>(rollback: Bool = false, _ body: (Database) throws -> T) throws(QuotaError) -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return rollback ? .rollback : .commit
                }
                return result!
            }
        } catch {
            throw SQLiteQuotaStore.map(error, path: location.path, timeout: options.busyTimeout)
        }
    }

    /// Runs `body` in a read transaction (a consistent snapshot).
    func read<T>(_ body: (Database) throws -> T) throws(QuotaError) -> T {
        do {
            return try queue.read { db in try body(db) }
        } catch {
            throw SQLiteQuotaStore.map(error, path: location.path, timeout: options.busyTimeout)
        }
    }

    /// Translates SQLite and Money errors into ``QuotaError``.
    static func map(_ error: any Error, path: String, timeout: TimeInterval) -> QuotaError {
        if let error = error as? QuotaError { return error }
        if let error = error as? MoneyError {
            if case .overflow(let op) = error { return .amountOverflow(op) }
            if case .currencyMismatch(let a, let b) = error { return .currencyMismatch(expected: a, found: b) }
            return .invalidAmount(error.description)
        }
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

    // MARK: - Money

    func money(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: currency) }

    /// The amount's minor units, after checking it is in the site currency.
    func units(_ amount: Money) throws(QuotaError) -> Int64 {
        guard amount.currency == currency else {
            throw .currencyMismatch(expected: currency.code, found: amount.currency.code)
        }
        return amount.minorUnits
    }

    var now: Date { options.clock() }
}

/// Unix milliseconds, as the database stores instants.
extension Date {
    var unixMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
    init(unixMilliseconds: Int64) { self.init(timeIntervalSince1970: Double(unixMilliseconds) / 1000) }
}
