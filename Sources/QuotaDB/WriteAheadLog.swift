import CSQLiteSupport
import GRDB

// The backend opens the database once per job. SQLite's defaults made that cost four fsyncs
// per job on top of the transactions themselves: the WAL was created (header fsync, directory
// fsync) at the first write, and checkpointed (WAL fsync, database fsync) and deleted when the
// connection closed. The WAL is now kept between connections and checkpointed only when it
// reaches SQLite's auto-checkpoint size; a job's settlement (or refund) is committed with
// `synchronous = FULL`, so once a job has ended its charge survives a power loss, as it did when
// every close checkpointed.

extension Database {
    /// Keeps the -wal and -shm files and skips the checkpoint on close (see above).
    func keepWriteAheadLog() throws {
        let rc = tollgate_sqlite_keep_wal(sqliteConnection)
        if rc != 0 { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: "cannot keep the write-ahead log") }
    }
}

extension SQLiteQuotaStore {
    /// Runs `body` (one write transaction) with `synchronous = FULL`: its commit fsyncs the WAL,
    /// which makes it and every earlier commit durable.
    func durably<T>(_ body: () throws(QuotaError) -> T) throws(QuotaError) -> T {
        guard !options.durableCommits else { return try body() }
        try? queue.inDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        defer { try? queue.inDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") } }
        return try body()
    }
}
