import Foundation

/// What `tollgate db copy` moved.
public struct CopyReport: Sendable, Equatable {
    /// Rows copied per table, in copy order.
    public var rows: [(table: String, count: Int)]
    public var total: Int { rows.reduce(0) { $0 + $1.count } }

    public static func == (a: CopyReport, b: CopyReport) -> Bool {
        a.rows.map(\.table) == b.rows.map(\.table) && a.rows.map(\.count) == b.rows.map(\.count)
    }
}

extension SQLQuotaStore {
    /// Every table, parents before the rows that refer to them.
    static let copyOrder = [
        "setting", "account", "account_grant", "local_group", "local_group_member", "\"user\"", "allocation",
        "reservation", "ledger", "usage_total", "schedule", "schedule_run", "held_job", "release_grant", "job_event", "credential",
        "delivery", "api_client", "api_token", "idempotency_key", "payment_site", "voucher_batch", "voucher",
        "voucher_attempt", "notification",
    ]

    /// Copies everything this store holds (accounts, wallets, the ledger, held jobs, credentials,
    /// API clients, vouchers, the outbox) into `target`, an empty database of the same schema
    /// version and currency — moving one print server's SQLite file into the PostgreSQL database
    /// several will share.
    ///
    /// Failure policy: all or nothing. The target is written in one transaction, so a failure
    /// (a non-empty target, another version, a refused row) leaves it as empty as it was; the
    /// source is only read (a consistent snapshot). Ledger rows keep their ids, times and actors.
    public func copy(to target: SQLQuotaStore) throws(QuotaError) -> CopyReport {
        let (here, there) = (try engine.schemaVersion(), try target.engine.schemaVersion())
        guard here == there else {
            throw .databaseUnavailable(path: target.locationDescription,
                                       detail: "its schema is version \(there), this one's \(here): open both with the same Tollgate first")
        }
        guard currency == target.currency else { throw .currencyMismatch(expected: currency.code, found: target.currency.code) }
        return try read { source in
            try target.write { destination in
                for table in Self.copyOrder where table != "setting" {
                    if try destination.value(Bool.self, sql: "SELECT 1 FROM \(table) LIMIT 1") == true {
                        throw QuotaError.databaseUnavailable(path: target.locationDescription,
                                                             detail: "it is not empty (table \(table) has rows): copy into an empty database")
                    }
                }
                var report = CopyReport(rows: [])
                for table in Self.copyOrder {
                    var batch: [SQLRow] = []
                    var count = 0
                    func flush() throws {
                        guard let first = batch.first else { return }
                        let columns = first.columns.joined(separator: ", ")
                        let one = "(" + Array(repeating: "?", count: first.columns.count).joined(separator: ", ") + ")"
                        var arguments = SQLArguments()
                        for row in batch { for value in row.values { arguments.append(SQLCopiedValue(value)) } }
                        let conflict = table == "setting" ? " ON CONFLICT(key) DO UPDATE SET value = excluded.value" : ""
                        try destination.run(sql: "INSERT INTO \(table)(\(columns)) VALUES " + Array(repeating: one, count: batch.count).joined(separator: ", ") + conflict,
                                            arguments: arguments)
                        count += batch.count
                        batch.removeAll(keepingCapacity: true)
                    }
                    try source.forEachRow(sql: "SELECT * FROM \(table)", arguments: []) { row in
                        batch.append(row)
                        if batch.count == 500 { try flush() }
                    }
                    try flush()
                    report.rows.append((table.replacingOccurrences(of: "\"", with: ""), count))
                }
                try target.engine.afterCopy(destination)
                return report
            }
        }
    }
}

/// A value read from one engine, written to the other as it was.
struct SQLCopiedValue: SQLValueConvertible {
    let sqlValue: SQLValue
    init(_ value: SQLValue) { sqlValue = value }
    init?(sqlValue: SQLValue) { self.sqlValue = sqlValue }
}
