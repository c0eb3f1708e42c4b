import Foundation
import TestSupport

/// `tollgated` (the built executable) on a free loopback port, against a bench's cupsd and
/// database (or a database alone, for what needs no cupsd), logging to a file. Stopped with
/// SIGTERM by ``stop()``.
final class TollgatedProcess: @unchecked Sendable {
    let port: Int
    let log: String
    private let process: RunningProcess

    var baseURL: String { "http://127.0.0.1:\(port)" }

    convenience init(bench: CupsBench, idleTimeout: Int = 120, extra: [String] = []) throws {
        try self.init(database: bench.database, pinKey: bench.pinKey, cupsServer: bench.values["CUPS_SERVER"]!,
                      directory: bench.state.path, idleTimeout: idleTimeout, extra: extra)
    }

    /// tollgated on `database` and the PIN key `pinKey`, asking cupsd at `cupsServer` (which need
    /// not exist for sign-in and the portal's errors), logging into `directory`.
    init(database: String, pinKey: String, cupsServer: String, directory: String, idleTimeout: Int = 120,
         extra: [String] = []) throws {
        port = try Loopback.freePort()
        log = directory + "/tollgated-\(port).log"
        let arguments = [BuiltProducts.executable("tollgated"), "--listen", "127.0.0.1:\(port)", "--db", database,
                         "--pin-key", pinKey, "--cups-server", cupsServer, "--idle-timeout", String(idleTimeout),
                         "--tick-interval", "300", "--no-socket", "--no-gate"] + extra
        let command = "exec " + arguments.map(Loopback.shellQuoted).joined(separator: " ") + " >" + Loopback.shellQuoted(log) + " 2>&1"
        process = try RunningProcess(["/bin/sh", "-c", command], environment: ["PATH": "/usr/bin:/bin", "LANG": "C"],
                                     captureOutput: false)
        let deadline = Date().addingTimeInterval(20)
        while true {
            if let result = try? ProcessRunner.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", baseURL + "/station.css"], timeout: 5),
               result.stdout == "200" { break }
            guard Date() < deadline, !hasExited else {
                stop()
                throw TestFailure("tollgated did not start: \(logText)")
            }
            usleep(100_000)
        }
    }

    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(process.pid, SIGTERM)
        _ = try? process.wait(timeout: 20)
    }

    private var stopped = false

    /// Whether it has exited (and waits to be reaped): its state in /proc/PID/stat is `Z`.
    private var hasExited: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// The host name, as tollgated and the backend use it in job keys by default.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

}

/// A browser-like HTTP client (curl with a cookie jar) for the security tests.
struct StationClient {
    typealias Reply = BrowserReply

    let base: String
    let jar: TemporaryDirectory
    /// The local address requests come from (`curl --interface`): any of 127.0.0.0/8 reaches a
    /// station on 127.0.0.1, so one test can be several client addresses.
    let source: String?

    init(base: String, source: String? = nil) throws {
        self.base = base
        self.source = source
        jar = try TemporaryDirectory(mode: 0o700)
    }

    func get(_ path: String, headers: [String: String] = [:]) throws -> Reply {
        try request(["-X", "GET"], path: path, headers: headers)
    }

    /// POSTs `fields` as a form (`application/x-www-form-urlencoded`).
    func post(_ path: String, form fields: [(String, String)], headers: [String: String] = [:]) throws -> Reply {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try request(["-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body],
                           path: path, headers: headers)
    }

    func post(_ path: String, json: String = "", headers: [String: String] = [:]) throws -> Reply {
        try request(["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", json], path: path, headers: headers)
    }

    private func request(_ arguments: [String], path: String, headers: [String: String]) throws -> Reply {
        try BrowserReply.curl(jar: jar.path, url: base + path, arguments: (source.map { ["--interface", $0] } ?? []) + arguments, headers: headers)
    }

    /// Signs in with a password or a PIN from a fresh sign-in page.
    func signIn(pinFor identifier: String? = nil, pin: String = "", user: String = "", password: String = "") throws -> Reply {
        let page = try get("/")
        guard let csrf = page.csrf else { throw TestFailure("no CSRF token on the sign-in page: \(page.body)") }
        if let identifier {
            return try post("/signin", form: [("csrf", csrf), ("method", "pin"), ("identifier", identifier), ("pin", pin)])
        }
        return try post("/signin", form: [("csrf", csrf), ("method", "password"), ("user", user), ("password", password)])
    }

    /// `GET /api/session`'s CSRF token.
    func apiCSRF() throws -> String {
        let reply = try get("/api/session")
        guard reply.status == 200, let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any],
              let token = object["csrfToken"] as? String else { throw TestFailure("GET /api/session: \(reply.status) \(reply.body)") }
        return token
    }

    func apiJobs() throws -> [[String: Any]] {
        let reply = try get("/api/jobs")
        guard reply.status == 200 else { throw TestFailure("GET /api/jobs: \(reply.status) \(reply.body)") }
        return try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [[String: Any]] ?? []
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// A quota database in a private directory and `tollgated` on it, with no cupsd: for what the
/// station does before it asks cupsd anything (sign-in, limits, HTTP errors). Stopped by ``stop()``.
final class StationWithoutCups {
    let state: TemporaryDirectory
    private(set) var station: TollgatedProcess
    var database: String { state.path + "/tollgate.db" }
    var pinKey: String { state.path + "/pin.key" }

    init(extra: [String] = []) throws {
        state = try TemporaryDirectory(mode: 0o700)
        let initDB = try ProcessRunner.run([BuiltProducts.executable("tollgate"), "db", "init", "--currency", "EUR",
                                            "--db", state.path + "/tollgate.db", "--pin-key", state.path + "/pin.key"])
        guard initDB.status == 0 else { throw TestFailure("tollgate db init: \(initDB.stderr)") }
        station = try TollgatedProcess(database: state.path + "/tollgate.db", pinKey: state.path + "/pin.key",
                                       cupsServer: state.path + "/no-cupsd.sock", directory: state.path, extra: extra)
    }

    /// Stops tollgated and starts it again (it reads the PIN key and the hashes again).
    func restart(extra: [String] = []) throws {
        station.stop()
        station = try TollgatedProcess(database: database, pinKey: pinKey, cupsServer: state.path + "/no-cupsd.sock",
                                       directory: state.path, extra: extra)
    }

    /// `tollgate pin set USER [--card CARD]` with `pin` on standard input.
    func setPIN(user: String, pin: String, card: String? = nil) throws {
        let result = try ProcessRunner.run([BuiltProducts.executable("tollgate"), "pin", "set", user, "--db", database, "--pin-key", pinKey]
                                           + (card.map { ["--card", $0] } ?? []), stdin: Data("\(pin)\n".utf8))
        guard result.status == 0 else { throw TestFailure("tollgate pin set: \(result.stderr)") }
    }

    func stop() { station.stop() }
}
