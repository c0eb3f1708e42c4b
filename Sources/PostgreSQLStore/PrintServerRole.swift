import QuotaDB

extension PostgreSQLEngine {
    /// Gives `role` (an existing PostgreSQL role, e.g. the one each print server's backends and
    /// tollgated connect as) what a print server needs in this database, and no more over the
    /// money's history: it reads every table and writes the working ones, but can only append
    /// to the ledger and the job events (no UPDATE, DELETE or TRUNCATE there, whatever happens to
    /// the append-only triggers), and cannot change the schema (only its owner migrates it).
    ///
    /// Failure policy: an unknown role, or a role name that is not a plain one, is refused before
    /// anything is granted; the grants are one transaction.
    public func grantPrintServerRole(_ role: String) throws(QuotaError) {
        guard !role.isEmpty, role.utf8.count <= 63, role.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw .databaseUnavailable(path: locationDescription, detail: "\"\(role)\" is not a role name (letters, digits, _ and -)")
        }
        let quoted = "\"" + role + "\""
        try write(rollback: false, durable: true) { db in
            guard try db.value(Bool.self, sql: "SELECT true FROM pg_roles WHERE rolname = ?", arguments: [role]) == true else {
                throw QuotaError.databaseUnavailable(path: self.locationDescription, detail: "there is no role \(role): create it first (createuser \(role))")
            }
            let schema = "\"" + (try db.value(String.self, sql: "SELECT current_schema()") ?? "public") + "\""
            for statement in [
                "GRANT USAGE ON SCHEMA \(schema) TO \(quoted)",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \(schema) TO \(quoted)",
                "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ledger, job_event, tollgate_schema FROM \(quoted)",
                "GRANT INSERT ON ledger, job_event TO \(quoted)",
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA \(schema) TO \(quoted)",
            ] {
                try db.run(sql: statement)
            }
        }
    }
}
