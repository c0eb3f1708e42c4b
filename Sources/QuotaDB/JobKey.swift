/// A job's key in the quota database, written `server/job-id/time-at-creation`: the print
/// server's name (`TOLLGATE_SERVER_NAME`), and what only cupsd assigns the job (its id, and its
/// creation time, read-only in cupsd's add_job). Two servers' job 42, or a job id cupsd reuses
/// after its history was cleared, are different jobs; a retry or a re-run of one job is the
/// same key, which is what makes it charged once. The store keeps the text (``rawValue``).
public struct JobKey: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    public let server: String
    public let jobID: Int
    public let createdAt: Int

    public init(server: String, jobID: Int, createdAt: Int) {
        self.server = server
        self.jobID = jobID
        self.createdAt = createdAt
    }

    /// Reads `server/job-id/time-at-creation`; nil for anything else (another kind of key).
    public init?(rawValue: String) {
        let parts = rawValue.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let jobID = Int(parts[1]), let created = Int(parts[2]) else { return nil }
        self.init(server: String(parts[0]), jobID: jobID, createdAt: created)
    }

    public var rawValue: String { "\(server)/\(jobID)/\(createdAt)" }
    public var description: String { rawValue }

    /// Whether the job is one of print server `name`'s.
    public static func isJob(_ key: String, of name: String) -> Bool { JobKey(rawValue: key)?.server == name }
}
