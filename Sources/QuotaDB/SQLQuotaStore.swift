import Foundation
import Pricing

/// The quota store: every protocol of ``PrintAccountingStore``, written once in SQL that SQLite and
/// PostgreSQL both accept, on an ``SQLEngine``: ``SQLiteEngine`` (one file, the embedded default
/// for a single print server) or PostgreSQL (the shared store of several, in `PostgreSQLStore`).
///
/// Every change is one serialisable transaction (SQLite: `BEGIN IMMEDIATE`; PostgreSQL:
/// `SERIALIZABLE`, retried on a serialisation failure): two jobs racing for the last euro, on one
/// server or on two, behave as if one ran after the other, and the second sees the first one's
/// reservation.
public struct SQLQuotaStore: QuotaStore {
    /// How to open the store.
    public struct Options: Sendable {
        /// Create the database (SQLite: the file and its directory) if it does not exist.
        public var create: Bool
        /// The site currency; required to create a database, checked against an existing one when given.
        public var currency: Currency?
        /// How long to wait for another writer before failing with ``QuotaError/databaseBusy(path:timeoutSeconds:)``.
        public var busyTimeout: TimeInterval
        /// SQLite: `true`: `synchronous = FULL`: every commit is fsynced before the call returns (survives power loss).
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

    /// The database engine under the store.
    public let engine: any SQLEngine
    /// The currency every amount in this database is in.
    public let currency: Currency
    let options: Options

    public var locationDescription: String { engine.locationDescription }

    /// Opens (or with `options.create`, creates) the SQLite database at `location`.
    ///
    /// Refuses, without writing anything, a file that is not SQLite or is damaged
    /// (``QuotaError/corruptDatabase(path:detail:)``), a database from a newer Tollgate
    /// (``QuotaError/newerSchema(path:found:supported:)``) and a currency mismatch.
    public init(location: DatabaseLocation, options: Options = Options()) throws(QuotaError) {
        if !FileManager.default.fileExists(atPath: location.path), options.create, options.currency == nil {
            throw .currencyRequired(path: location.path)
        }
        let engine = try SQLiteEngine(location: location, create: options.create,
                                      busyTimeout: options.busyTimeout, durableCommits: options.durableCommits)
        try self.init(engine: engine, options: options)
    }

    /// The store on an engine that has opened (and migrated) its database: reads the site
    /// currency, or with `options.create` and `options.currency`, records it.
    public init(engine: any SQLEngine, options: Options = Options()) throws(QuotaError) {
        self.engine = engine
        self.options = options
        self.currency = try SQLQuotaStore.siteCurrency(engine, options: options)
    }

    private static func siteCurrency(_ engine: any SQLEngine, options: Options) throws(QuotaError) -> Currency {
        // The common case (an existing database) is a read: opening never takes the write lock.
        if let stored = try engine.read({ db in try storedCurrency(db) }) {
            if let wanted = options.currency, wanted != stored {
                throw .currencyMismatch(expected: stored.code, found: wanted.code)
            }
            return stored
        }
        guard let wanted = options.currency else { throw .currencyRequired(path: engine.locationDescription) }
        return try engine.write(rollback: false, durable: false) { db -> Currency in
            if let stored = try storedCurrency(db) {           // another process created it meanwhile
                guard stored == wanted else { throw QuotaError.currencyMismatch(expected: stored.code, found: wanted.code) }
                return stored
            }
            try db.run(sql: "INSERT INTO setting(key, value) VALUES ('currency.code', ?), ('currency.exponent', ?)",
                       arguments: [wanted.code, String(wanted.exponent)])
            return wanted
        }
    }

    private static func storedCurrency(_ db: any SQLSession) throws -> Currency? {
        let rows = try db.rows(sql: "SELECT key, value FROM setting WHERE key IN ('currency.code', 'currency.exponent')")
        var values: [String: String] = [:]
        for row in rows { values[row["key"]] = row["value"] }
        guard let code = values["currency.code"], let exponent = values["currency.exponent"].flatMap({ Int($0) }) else { return nil }
        return try Currency(code: code, exponent: exponent)
    }

    // MARK: - Transactions

    /// Runs `body` in one serialisable write transaction; any error rolls everything back.
    /// With `rollback`, it is rolled back even on success (a dry run that sees exactly what a real
    /// run would). `durable`: the commit survives a power loss (a job's end: settle, cancel, refund).
    func write<T>(rollback: Bool = false, durable: Bool = false, _ body: (any SQLSession) throws -> T) throws(QuotaError) -> T {
        try engine.write(rollback: rollback, durable: durable, body)
    }

    /// Runs `body` in a read transaction (a consistent snapshot).
    func read<T>(_ body: (any SQLSession) throws -> T) throws(QuotaError) -> T {
        try engine.read(body)
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
