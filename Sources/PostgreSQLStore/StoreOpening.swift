import QuotaDB

extension SQLQuotaStore {
    /// Opens the store `location` names (`--db`, else `TOLLGATE_DB`, else the default file): a
    /// SQLite file, or with a `postgresql://` URI the shared PostgreSQL database of several print
    /// servers. What every program opens its store with, so they all choose it the same way.
    public static func open(_ location: DatabaseLocation, options: Options = Options()) throws(QuotaError) -> SQLQuotaStore {
        guard location.isPostgreSQL else { return try SQLQuotaStore(location: location, options: options) }
        let engine = try PostgreSQLEngine(conninfo: location.path, create: options.create, busyTimeout: options.busyTimeout)
        return try SQLQuotaStore(engine: engine, options: options)
    }
}
