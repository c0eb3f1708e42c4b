import Foundation

/// A private cupsd with virtual IPP printers on loopback (`cups/tollgate-bench`), with the built
/// `tollgate-backend` installed as its `tollgate` backend. Stopped when released; a watchdog
/// also stops it if the test process dies first.
public final class CupsBench: @unchecked Sendable {
    /// The bench directory (ServerRoot, spool, logs, printers' output).
    public let dir: String
    /// KEY=VALUE pairs printed by `tollgate-bench start`.
    public let values: [String: String]
    /// Tollgate's own state for this bench: the quota database and the rates cards directory
    /// (`default.toml` is rates/example.toml), given to the backend through cupsd's SetEnv.
    public let state: TemporaryDirectory
    /// The quota database: a SQLite file in `state`, or the PostgreSQL URI the bench was given.
    public let database: String
    /// This print server's offline journal (``OfflineJournal``), never /var/lib/tollgate's.
    public var journal: String { state.path + "/journal" }
    /// The PIN key (`tollgate pin set` makes it on first use), never /etc/tollgate's.
    public var pinKey: String { state.path + "/pin.key" }
    public var ratesDirectory: String { state.path + "/rates" }
    private var stopped = false

    public static var script: String { BuiltProducts.packageRoot.appendingPathComponent("cups/tollgate-bench").path }

    /// `oneSided`: the printers (1-based) started without duplex (`sides-supported` one-sided only).
    /// This print server's name in job keys (`TOLLGATE_SERVER_NAME`; nil: the host name).
    public let serverName: String?

    /// `database`: a PostgreSQL URI or a SQLite file instead of the bench's own SQLite file (several
    /// benches on one database are several print servers: give each its own `serverName`).
    /// `environment`: more `NAME=VALUE` settings for the backends (cupsd's SetEnv).
    public init(printers: Int = 1, oneSided: [Int] = [], backend: String = BuiltProducts.executable("tollgate-backend"),
                database: String? = nil, serverName: String? = nil, environment: [String] = []) throws {
        state = try TemporaryDirectory(mode: 0o700)
        self.database = database ?? state.path + "/tollgate.db"
        self.serverName = serverName
        try FileManager.default.createDirectory(atPath: state.path + "/rates", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: BuiltProducts.packageRoot.appendingPathComponent("rates/example.toml").path,
                                         toPath: state.path + "/rates/default.toml")
        let initDB = try ProcessRunner.run([BuiltProducts.executable("tollgate"), "db", "init", "--currency", "EUR",
                                            "--db", self.database, "--pin-key", state.path + "/pin.key"])
        guard initDB.status == 0 else { throw TestFailure("tollgate db init: \(initDB.stderr)") }
        let settings = ["TOLLGATE_DB=\(self.database)", "TOLLGATE_RATES_DIR=\(state.path)/rates",
                        "TOLLGATE_ANALYSE=\(BuiltProducts.executable("tollgate-analyse"))", "TOLLGATE_JOURNAL_DIR=\(state.path)/journal",
                        // A private gate socket: no service listens there unless the test starts one
                        // (startGateService), so by default the backend decides in its own process.
                        "TOLLGATE_GATE_SOCKET=\(state.path)/gate.sock",
                        // What the backend becomes without the service (installed in /usr/lib/tollgate).
                        "TOLLGATE_GATE_PROGRAM=\(BuiltProducts.executable("tollgate-gate"))"] + (serverName.map { ["TOLLGATE_SERVER_NAME=\($0)"] } ?? [])
                        + environment
        let result = try ProcessRunner.run([CupsBench.script, "start", "--printers", String(printers),
                                            "--backend", backend, "--owner", String(getpid())]
                                           + oneSided.flatMap { ["--one-sided", String($0)] }
                                           + settings.flatMap { ["--env", $0] }, timeout: 60)
        guard result.status == 0 else { throw TestFailure("tollgate-bench start failed: \(result.stderr)") }
        var values: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard let dir = values["TOLLGATE_BENCH_DIR"] else { throw TestFailure("no bench directory in: \(result.stdout)") }
        self.dir = dir
        self.values = values
    }

    deinit { stop() }

    /// Installs the real backend `gated://`: it takes the job, writes its pid to the spool's
    /// `gated-backend.pid`, and prints it all (exit 0) once ``releaseGatedBackend()`` says so;
    /// ``waitForGatedBackend()`` returns once it has the job.
    public func installGatedBackend() throws {
        try installBackend("gated", script: """
            #!/bin/sh
            [ $# -eq 0 ] && exit 0
            echo $$ > "$TMPDIR/gated-backend.pid"
            while [ ! -e "$TMPDIR/go" ]; do sleep 0.1; done
            rm -f "$TMPDIR/gated-backend.pid"
            exit 0
            """)
    }

    public func waitForGatedBackend(timeout: TimeInterval = 30) throws {
        let pidFile = dir + "/spool/tmp/gated-backend.pid"
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: pidFile) && Date() < deadline { usleep(50_000) }
        guard FileManager.default.fileExists(atPath: pidFile) else { throw TestFailure("the gated real backend did not start") }
    }

    public func releaseGatedBackend() {
        FileManager.default.createFile(atPath: dir + "/spool/tmp/go", contents: nil)
    }

    /// Where the backend looks for the gate service (`TOLLGATE_GATE_SOCKET`).
    public var gateSocket: String { state.path + "/gate.sock" }

    /// Starts tollgated serving the gate socket (only that: no local socket, no mail), and returns
    /// once it listens; its stderr is the service's log.
    /// `environment`: more variables for the service's own process.
    public func startGateService(environment: [String: String] = [:]) throws -> RunningProcess {
        let service = try RunningProcess([BuiltProducts.executable("tollgated"), "--listen", "127.0.0.1:0", "--db", database,
                                          "--pin-key", pinKey, "--cups-server", values["CUPS_SERVER"]!, "--no-socket",
                                          "--gate-socket", gateSocket, "--mail", "off"],
                                         environment: ["PATH": "/usr/bin:/bin", "LANG": "C"].merging(environment) { $1 })
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: gateSocket) && Date() < deadline { usleep(50_000) }
        guard FileManager.default.fileExists(atPath: gateSocket) else {
            service.signal(SIGKILL)
            throw TestFailure("tollgated did not open its gate socket: \((try? service.wait(timeout: 5)).map { "\($0.stdout) \($0.stderr)" } ?? "")")
        }
        return service
    }

    /// Sets (or, with nil, removes) one of the backends' settings (cupsd's SetEnv in
    /// cups-files.conf) and reloads cupsd; jobs and queues stay.
    public func setBackendEnvironment(_ name: String, _ value: String?) throws {
        try reconfigure("cups-files.conf") { text in
            text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("SetEnv \(name) ") }.joined(separator: "\n")
                + (value.map { "\nSetEnv \(name) \($0)\n" } ?? "")
        }
    }

    /// Stops cupsd (SIGTERM) and starts it again on the same configuration and spool: queues,
    /// pending and held jobs stay, as after `systemctl restart cups`.
    public func restartCupsd() throws {
        let result = try ProcessRunner.run([CupsBench.script, "restart-cupsd", dir], timeout: 60)
        guard result.status == 0 else { throw TestFailure("tollgate-bench restart-cupsd: \(result.stderr)") }
    }

    /// Stops cupsd, the printers and dbus, and removes the directory.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        _ = try? ProcessRunner.run([CupsBench.script, "stop", dir], timeout: 60)
    }

    /// The environment for CUPS clients (lp, lpstat, lpadmin …) talking to this bench.
    public var clientEnvironment: [String: String] {
        ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CUPS_SERVER": values["CUPS_SERVER"]!,
         "CUPS_SERVERROOT": values["CUPS_SERVERROOT"]!, "LANG": "C"]
    }

    public func printerURI(_ index: Int) -> String { values["PRINTER\(index)_URI"]! }
    /// The raw socket printer beside printer `index` (socket://127.0.0.1:PORT).
    public func socketURI(_ index: Int = 1) -> String { values["SOCKET\(index)_URI"]! }

    /// Points queue `queue` at printer `index`'s raw socket printer, behind Tollgate.
    public func useSocketPrinter(_ queue: String, printer index: Int = 1) throws {
        let result = try client(["lpadmin", "-p", queue, "-v", "tollgate:" + socketURI(index)])
        guard result.status == 0 else { throw TestFailure("lpadmin: \(result.stderr)") }
    }

    /// Makes the raw socket printer beside printer `index` keep each connection open `seconds`
    /// after the last byte (a printer still printing what it has).
    public func lingerSocketPrinter(_ seconds: Double, printer index: Int = 1) throws {
        try String(seconds).write(toFile: values["SOCKET\(index)_OUT"]! + "/linger", atomically: true, encoding: .utf8)
    }

    /// Replaces virtual printer `index`'s print command (ippeveprinter's `-c`, run with each
    /// document it accepts) with the shell script `body`: its `ATTR: job-impressions-completed=N`
    /// lines are the printer's own count, and a non-zero exit aborts the printer's job.
    public func setPrintCommand(_ body: String, printer index: Int = 1) throws {
        let path = dir + "/printers/\(index)/print-command"
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// What the raw socket printer beside printer `index` received, one file per connection that
    /// sent anything (the bench's own start-up probe sends nothing), oldest first.
    public func socketReceived(printer index: Int = 1) throws -> [String] {
        let dir = values["SOCKET\(index)_OUT"]!
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".prn") }
            .filter { ((try? FileManager.default.attributesOfItem(atPath: dir + "/" + $0)[.size] as? Int) ?? 0) > 0 }
            .sorted { (Int($0.prefix(while: \.isNumber)) ?? 0) < (Int($1.prefix(while: \.isNumber)) ?? 0) }
            .map { dir + "/" + $0 }
    }
    public func printerOutput(_ index: Int) -> String { values["PRINTER\(index)_OUT"]! }
    public var serverBin: String { values["CUPS_SERVERBIN"]! }
    public var errorLog: String { (try? String(contentsOfFile: values["CUPS_ERROR_LOG"]!, encoding: .utf8)) ?? "" }

    /// Rewrites cupsd's configuration file `name` (`cupsd.conf`, `cups-files.conf`) with `edit`,
    /// and makes cupsd reload it (SIGHUP; queues and jobs stay). Returns once cupsd answers again.
    public func reconfigure(_ name: String, _ edit: (String) -> String) throws {
        let path = values["CUPS_SERVERROOT"]! + "/" + name
        try edit(String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: false, encoding: .utf8)
        let reloads = { self.errorLog.components(separatedBy: "Full reload complete.").count }
        let before = reloads()
        let pidText = try String(contentsOfFile: dir + "/cupsd.pid", encoding: .utf8)
        guard let pid = pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)), kill(pid, SIGHUP) == 0 else {
            throw TestFailure("cannot signal cupsd (\(pidText))")
        }
        let deadline = Date().addingTimeInterval(15)
        while reloads() == before || (try? client(["lpstat", "-r"]))?.stdout.contains("is running") != true {
            guard Date() < deadline else { throw TestFailure("cupsd did not come back after reloading \(name)") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Creates a queue in front of printer `printer` (`raw` or `everywhere`).
    public func addQueue(_ name: String, kind: String, printer: Int = 1, options: [String] = []) throws {
        let result = try ProcessRunner.run([CupsBench.script, "queue", dir, name, kind, String(printer)] + options,
                                           environment: clientEnvironment)
        guard result.status == 0 else { throw TestFailure("queue \(name): \(result.stderr)") }
    }

    /// Runs the `tollgate` command on this bench's database.
    @discardableResult
    public func tollgate(_ arguments: [String]) throws -> ProcessResult {
        var environment = ["PATH": "/usr/bin:/bin", "TOLLGATE_DB": database, "TOLLGATE_PIN_KEY": pinKey, "LANG": "C", "TOLLGATE_JOURNAL_DIR": journal,
                           "CUPS_SERVER": values["CUPS_SERVER"]!]
        if let serverName { environment["TOLLGATE_SERVER_NAME"] = serverName }
        return try ProcessRunner.run([BuiltProducts.executable("tollgate")] + arguments, environment: environment)
    }

    /// Runs a CUPS client command against the bench (as `user` when given). A command that fails
    /// because cupsd died throws, with cupsd's last words and the kernel's line about it.
    @discardableResult
    public func client(_ arguments: [String], as user: SystemUser? = nil, timeout: TimeInterval = 60) throws -> ProcessResult {
        let result = try ProcessRunner.run(user?.command(arguments) ?? arguments, environment: clientEnvironment, timeout: timeout)
        if result.status != 0, let death = cupsdDeath() { throw TestFailure(death) }
        return result
    }

    /// Nil while the bench's cupsd runs; otherwise what is known of its end: the tail of its
    /// error_log and the kernel's segfault line, if any ("Host is down" alone says nothing).
    public func cupsdDeath() -> String? {
        guard let text = try? String(contentsOfFile: dir + "/cupsd.pid", encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        guard kill(pid, 0) != 0 && errno == ESRCH else { return nil }
        let log = errorLog.split(separator: "\n").suffix(15).joined(separator: "\n")
        let kernel = ((try? ProcessRunner.run(["dmesg"], timeout: 10))?.stdout ?? "")
            .split(separator: "\n").filter { $0.contains("cupsd[\(pid)]") }.joined(separator: "\n")
        return "the bench's cupsd (pid \(pid)) has died\n"
            + "kernel: \(kernel.isEmpty ? "(nothing about it in dmesg)" : kernel)\n"
            + "last lines of its error_log:\n\(log)"
    }

    /// Submits a file with `lp` (as `user`, a real user known to cupsd by their Unix id; else as
    /// the test process) and returns cupsd's job id.
    public func submit(_ file: String, queue: String, options: [String] = [], title: String? = nil,
                       user: SystemUser? = nil) throws -> Int {
        var arguments = ["lp", "-d", queue]
        if let title { arguments += ["-t", title] }
        for option in options { arguments += ["-o", option] }
        let result = try client(arguments + [file], as: user)
        guard result.status == 0,
              let idText = result.stdout.split(separator: " ").first(where: { $0.hasPrefix(queue + "-") })?.split(separator: "-").last,
              let id = Int(idText) else { throw TestFailure("lp failed: \(result.stdout) \(result.stderr)") }
        return id
    }

    /// job-state, job-state-reasons and job-printer-state-message of a job, from cupsd over IPP.
    public func jobStatus(_ id: Int) throws -> (state: String, reasons: String, message: String) {
        let test = dir + "/get-job-attributes.test"
        if !FileManager.default.fileExists(atPath: test) {
            try """
            {
              OPERATION Get-Job-Attributes
              GROUP operation-attributes-tag
              ATTR charset attributes-charset utf-8
              ATTR naturalLanguage attributes-natural-language en
              ATTR uri printer-uri $uri
              ATTR integer job-id $job_id
              ATTR name requesting-user-name root
              ATTR keyword requested-attributes job-state,job-state-reasons,job-printer-state-message
              DISPLAY job-state
              DISPLAY job-state-reasons
              DISPLAY job-printer-state-message
            }
            """.write(toFile: test, atomically: true, encoding: .utf8)
        }
        let uri = "ipp://127.0.0.1:\(values["CUPS_PORT"]!)/"
        let result = try ProcessRunner.run(["ipptool", "-c", "-d", "job_id=\(id)", uri, test])
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        guard result.status == 0, lines.count >= 2 else {
            throw TestFailure(cupsdDeath() ?? "ipptool: \(result.stdout) \(result.stderr)")
        }
        let fields = Self.csvFields(String(lines[1]))
        return (fields[safe: 0] ?? "", fields[safe: 1] ?? "", fields[safe: 2] ?? "")
    }

    /// Waits until the job's state is one of `states` and returns the final status.
    @discardableResult
    public func waitForJob(_ id: Int, in states: Set<String>, timeout: TimeInterval = 60) throws -> (state: String, reasons: String, message: String) {
        let deadline = Date().addingTimeInterval(timeout)
        var last = try jobStatus(id)
        while !states.contains(last.state) {
            guard Date() < deadline else {
                throw TestFailure("job \(id) stayed \(last.state) (\(last.reasons), \(last.message)); wanted \(states.sorted())")
            }
            usleep(100_000)
            last = try jobStatus(id)
        }
        return last
    }

    /// The documents printer `index` has received, oldest first (not its `.prn` command output).
    public func receivedDocuments(printer index: Int = 1) throws -> [String] {
        let dir = printerOutput(index)
        return try FileManager.default.contentsOfDirectory(atPath: dir)
            .filter { !$0.hasSuffix(".prn") }
            .sorted { (Int($0.prefix(while: \.isNumber)) ?? 0) < (Int($1.prefix(while: \.isNumber)) ?? 0) }
            .map { dir + "/" + $0 }
    }

    /// Installs a script as backend `scheme` in the bench's ServerBin (root-owned, `mode`).
    public func installBackend(_ scheme: String, script: String, mode: Int = 0o755) throws {
        let path = serverBin + "/backend/" + scheme
        try script.write(toFile: path, atomically: false, encoding: .utf8)
        chown(path, 0, 0)
        chmod(path, mode_t(mode))
    }

    static func csvFields(_ line: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        for ch in line {
            if ch == "\"" { quoted.toggle() }
            else if ch == "," && !quoted { fields.append(current); current = "" }
            else { current.append(ch) }
        }
        fields.append(current)
        return fields
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

extension CupsBench {
    /// The kinds of the ledger's rows, oldest first (`tollgate ledger --json`).
    public func ledgerKinds() throws -> [String] {
        let result = try tollgate(["ledger", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        return rows.compactMap { $0["kind"] as? String }
    }

    /// A user's personal wallet as `tollgate user show` prints it (`0.63 EUR`).
    public func wallet(_ user: String = "root") throws -> String {
        let result = try tollgate(["user", "show", user])
        return result.stdout.split(separator: "\n").first { $0.hasPrefix("wallet:") }
            .map { String($0.dropFirst(7)).trimmingCharacters(in: .whitespaces) } ?? ""
    }
}
