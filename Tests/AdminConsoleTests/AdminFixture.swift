import Foundation
import TestSupport

/// A quota database in a private directory and the real `tollgated` on it (no cupsd: the console
/// needs none), with a real admin group (`groupadd`) and real users (PAM sign-in). Stopped and
/// removed by ``stop()``.
final class AdminFixture: @unchecked Sendable {
    let state: TemporaryDirectory
    let group: SystemGroup
    let admin: SystemUser
    let port: Int
    let log: String
    private let process: RunningProcess
    private var stopped = false

    var database: String { state.path + "/tollgate.db" }
    var pinKey: String { state.path + "/pin.key" }
    var ratesDirectory: String { state.path + "/rates" }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `cupsServer`: a real cupsd (a ``CupsBench``'s); default: none.
    init(extra: [String] = [], cupsServer: String? = nil) throws {
        state = try TemporaryDirectory(mode: 0o700)
        try FileManager.default.createDirectory(atPath: state.path + "/rates", withIntermediateDirectories: true)
        group = try SystemGroup(prefix: "tgadm")
        admin = try SystemUser(prefix: "tgad", password: true)
        try group.add(admin.name)
        let database = state.path + "/tollgate.db", pinKey = state.path + "/pin.key"
        let initDB = try ProcessRunner.run([BuiltProducts.executable("tollgate"), "db", "init", "--currency", "EUR",
                                            "--db", database, "--pin-key", pinKey])
        guard initDB.status == 0 else { throw TestFailure("tollgate db init: \(initDB.stderr)") }
        let port = try Loopback.freePort()
        self.port = port
        let log = state.path + "/tollgated.log"
        self.log = log
        let baseURL = "http://127.0.0.1:\(port)"
        let arguments = [BuiltProducts.executable("tollgated"), "--listen", "127.0.0.1:\(port)", "--db", database,
                         "--pin-key", pinKey, "--cups-server", cupsServer ?? state.path + "/no-cupsd.sock", "--no-socket", "--no-gate",
                         "--admin-group", group.name] + extra
        let command = "exec " + arguments.map(Loopback.shellQuoted).joined(separator: " ") + " >" + Loopback.shellQuoted(log) + " 2>&1"
        process = try RunningProcess(["/bin/sh", "-c", command],
                                     environment: ["PATH": "/usr/bin:/bin", "LANG": "C", "TOLLGATE_RATES_DIR": state.path + "/rates"],
                                     captureOutput: false)
        let deadline = Date().addingTimeInterval(20)
        while true {
            if let result = try? ProcessRunner.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", baseURL + "/admin/admin.css"], timeout: 5),
               result.stdout == "200" { break }
            guard Date() < deadline else {
                stop()
                throw TestFailure("tollgated did not start: \(logText)")
            }
            usleep(100_000)
        }
    }

    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// `tollgate ARGS --db …`, which must succeed.
    @discardableResult
    func tollgate(_ arguments: [String]) throws -> String {
        let result = try ProcessRunner.run([BuiltProducts.executable("tollgate")] + arguments + ["--db", database])
        guard result.status == 0 else { throw TestFailure("tollgate \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result.stdout
    }

    /// The ledger as `tollgate ledger --json` prints it.
    func ledger() throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(try tollgate(["ledger", "--json"]).utf8)) as? [[String: Any]] ?? []
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(process.pid, SIGTERM)
        _ = try? process.wait(timeout: 20)
        admin.remove()
        group.remove()
    }

    deinit { stop() }

}

/// A real system group for a test's lifetime (`groupadd`, random name), removed with `groupdel`.
final class SystemGroup: @unchecked Sendable {
    let name: String
    private var removed = false

    init(prefix: String) throws {
        name = prefix + String(UInt32.random(in: 100_000...999_999))
        let add = try ProcessRunner.run(["/usr/sbin/groupadd", name])
        guard add.status == 0 else { throw TestFailure("groupadd \(name): \(add.stderr)") }
    }

    /// Makes `user` a member (`gpasswd -a`).
    func add(_ user: String) throws {
        let result = try ProcessRunner.run(["/usr/bin/gpasswd", "-a", user, name])
        guard result.status == 0 else { throw TestFailure("gpasswd -a \(user) \(name): \(result.stderr)") }
    }

    func remove() {
        guard !removed else { return }
        removed = true
        _ = try? ProcessRunner.run(["/usr/sbin/groupdel", name])
    }

    deinit { remove() }
}

/// A browser-like client (curl with a cookie jar).
struct AdminClient {
    typealias Reply = BrowserReply

    let base: String
    let jar: TemporaryDirectory

    init(base: String) throws {
        self.base = base
        jar = try TemporaryDirectory(mode: 0o700)
    }

    func get(_ path: String, headers: [String: String] = [:]) throws -> Reply {
        try request(["-X", "GET"], path: path, headers: headers)
    }

    func post(_ path: String, form fields: [(String, String)], headers: [String: String] = [:]) throws -> Reply {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try request(["-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body],
                           path: path, headers: headers)
    }

    /// POSTs the file at `bodyFile` as an urlencoded form body (for bodies too long for an argument).
    func post(_ path: String, bodyFile: String) throws -> Reply {
        try request(["-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", "@" + bodyFile], path: path, headers: [:])
    }

    func postJSON(_ path: String, json: String, headers: [String: String] = [:]) throws -> Reply {
        try request(["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", json], path: path, headers: headers)
    }

    /// POSTs `fields` and `files` (field name → path) as `multipart/form-data`, as a form with a file input does.
    func upload(_ path: String, fields: [(String, String)], files: [(String, String)]) throws -> Reply {
        var arguments = ["-X", "POST"]
        for (name, value) in fields { arguments += ["--form-string", "\(name)=\(value)"] }
        for (name, file) in files { arguments += ["-F", "\(name)=@\(file)"] }
        return try request(arguments, path: path, headers: [:])
    }

    private func request(_ arguments: [String], path: String, headers: [String: String]) throws -> Reply {
        try BrowserReply.curl(jar: jar.path, url: base + path, arguments: [] + arguments, headers: headers)
    }

    /// Signs in on a fresh admin sign-in page.
    @discardableResult
    func signIn(user: String, password: String) throws -> Reply {
        let page = try get("/admin/signin")
        guard let csrf = page.csrf else { throw TestFailure("no CSRF token on the sign-in page: \(page.status) \(page.body)") }
        return try post("/admin/signin", form: [("csrf", csrf), ("user", user), ("password", password)])
    }

    /// A POST from the page at `page` (its CSRF token) with `fields`.
    func submit(from page: String, to path: String, _ fields: [(String, String)]) throws -> Reply {
        let form = try get(page)
        guard let csrf = form.csrf else { throw TestFailure("no CSRF token on \(page): \(form.status)") }
        return try post(path, form: [("csrf", csrf)] + fields)
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
