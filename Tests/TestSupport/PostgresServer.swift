import Foundation

/// A private PostgreSQL server for a test's lifetime: `initdb` in a temporary directory, started
/// with `pg_ctl` on a Unix socket in that directory only (no TCP port), run as the `postgres`
/// system user (PostgreSQL refuses to run as root), stopped and removed when released.
/// Never the system's cluster. Debian: the `postgresql` package (installed by `make deps`).
public final class PostgresServer: @unchecked Sendable {
    public let directory: TemporaryDirectory
    /// The role every test connects as (the superuser of the private cluster).
    public let user = "tollgate"
    public var socketDirectory: String { directory.path + "/socket" }
    /// A libpq connection string for `database`.
    public func conninfo(database: String = "postgres") -> String {
        "host=\(socketDirectory) port=5432 dbname=\(database) user=\(user) connect_timeout=5"
    }

    /// A libpq URI for `database` (what `TOLLGATE_DB` takes), with `options` (e.g. `-c search_path=s`).
    public func uri(database: String = "postgres", options: String? = nil) -> String {
        let encode = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
        var uri = "postgresql:///\(database)?host=\(encode(socketDirectory))&user=\(user)&connect_timeout=5"
        if let options { uri += "&options=" + encode(options) }
        return uri
    }

    public static var binDirectory: String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root))?.compactMap(Int.init).sorted() ?? []
        return versions.last.map { "\(root)/\($0)/bin" }
    }

    public init() throws {
        guard let bin = Self.binDirectory else { throw TestFailure("PostgreSQL is not installed (make deps installs postgresql)") }
        directory = try TemporaryDirectory(mode: 0o700)
        try FileManager.default.createDirectory(atPath: directory.path + "/socket", withIntermediateDirectories: false)
        let chown = try ProcessRunner.run(["/bin/chown", "-R", "postgres:postgres", directory.path])
        guard chown.status == 0 else { throw TestFailure("chown: \(chown.stderr)") }
        let data = directory.path + "/data"
        let initdb = try Self.asPostgres([bin + "/initdb", "-D", data, "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        guard initdb.status == 0 else { throw TestFailure("initdb: \(initdb.stdout) \(initdb.stderr)") }
        try start()
    }

    /// Starts the server (again, after ``stop()``), waiting until it accepts connections.
    public func start() throws {
        guard let bin = Self.binDirectory else { throw TestFailure("no PostgreSQL") }
        let options = "-k \(socketDirectory) -c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=400"
        let start = try Self.asPostgres([bin + "/pg_ctl", "-D", directory.path + "/data", "-l", directory.path + "/server.log", "-o", options,
                                         "-w", "-t", "60", "start"])
        guard start.status == 0 else {
            let log = (try? String(contentsOfFile: directory.path + "/server.log", encoding: .utf8)) ?? ""
            throw TestFailure("pg_ctl start: \(start.stdout) \(start.stderr) \(log)")
        }
    }

    /// Runs `sql` with psql as the superuser (setting up roles and databases).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> ProcessResult {
        guard let bin = Self.binDirectory else { throw TestFailure("no PostgreSQL") }
        let result = try ProcessRunner.run([bin + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo(database: database), "-c", sql])
        guard result.status == 0 else { throw TestFailure("psql: \(result.stderr)") }
        return result
    }

    /// Stops the server at once (as a crash would); `start()` brings it back.
    public func stop() {
        guard let bin = Self.binDirectory else { return }
        _ = try? Self.asPostgres([bin + "/pg_ctl", "-D", directory.path + "/data", "-m", "immediate", "-w", "stop"])
    }

    deinit { stop() }

    static func asPostgres(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(["/sbin/runuser", "-u", "postgres", "--"] + arguments, timeout: 90)
    }
}
