import Foundation
import TestSupport

/// A points database in a private directory and the real `tollgated` on it (no cupsd, on a free
/// loopback port), set up with the real `tollgate` command; API calls are real HTTP with curl.
final class APIServer {
    let state: TemporaryDirectory
    let port: Int
    private let process: RunningProcess
    var database: String { state.path + "/tollgate.db" }
    var log: String { state.path + "/tollgated.log" }
    var base: String { "http://127.0.0.1:\(port)" }

    init(currency: String = "points", extra: [String] = []) throws {
        state = try TemporaryDirectory(mode: 0o700)
        port = try Loopback.freePort()
        let initDB = try ProcessRunner.run([BuiltProducts.executable("tollgate"), "db", "init", "--currency", currency,
                                            "--db", state.path + "/tollgate.db", "--pin-key", state.path + "/pin.key"])
        guard initDB.status == 0 else { throw TestFailure("tollgate db init: \(initDB.stderr)") }
        let arguments = [BuiltProducts.executable("tollgated"), "--listen", "127.0.0.1:\(port)", "--db", state.path + "/tollgate.db",
                         "--pin-key", state.path + "/pin.key", "--cups-server", state.path + "/no-cupsd.sock", "--no-socket", "--no-gate"] + extra
        let command = "exec " + arguments.map(Loopback.shellQuoted).joined(separator: " ") + " >" + Loopback.shellQuoted(state.path + "/tollgated.log") + " 2>&1"
        process = try RunningProcess(["/bin/sh", "-c", command], environment: ["PATH": "/usr/bin:/bin", "LANG": "C"], captureOutput: false)
        let deadline = Date().addingTimeInterval(20)
        while true {
            if let result = try? ProcessRunner.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/api/v1/openapi.json"], timeout: 5),
               result.stdout == "200" { break }
            guard Date() < deadline else {
                stop()
                throw TestFailure("tollgated did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            usleep(100_000)
        }
    }

    private var stopped = false
    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(process.pid, SIGTERM)
        _ = try? process.wait(timeout: 20)
    }

    deinit { stop() }

    /// `tollgate ARGS --db DATABASE`; its standard output, or a failure with its standard error.
    @discardableResult
    func tollgate(_ arguments: String...) throws -> String {
        var arguments = arguments
        arguments.insert(contentsOf: ["--db", database], at: arguments.firstIndex(of: "--") ?? arguments.endIndex)
        let result = try ProcessRunner.run([BuiltProducts.executable("tollgate")] + arguments)
        guard result.status == 0 else { throw TestFailure("tollgate \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result.stdout
    }

    /// `tollgate api-client add NAME --scope …`: its client id and secret.
    func addClient(_ name: String, scopes: [String]) throws -> (id: String, secret: String) {
        let result = try ProcessRunner.run([BuiltProducts.executable("tollgate"), "api-client", "add", name, "--db", database]
                                           + scopes.flatMap { ["--scope", $0] })
        guard result.status == 0 else { throw TestFailure("api-client add: \(result.stderr)") }
        func value(_ label: String) -> String? {
            result.stdout.split(separator: "\n").first { $0.hasPrefix(label) }.map { $0.dropFirst(label.count).trimmingCharacters(in: .whitespaces) }
        }
        guard let id = value("client_id:"), let secret = value("client_secret:") else { throw TestFailure("no credentials in \(result.stdout)") }
        return (id, secret)
    }

    struct Reply {
        var status: Int
        var body: String
        var headers: [String: String]
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]) ?? [:] }
        var array: [[String: Any]] { ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]]) ?? [] }
    }

    /// One HTTP request with curl; `body` from a file (so large bodies pass).
    func request(_ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
                 headers: [String: String] = [:]) throws -> Reply {
        let headerFile = state.path + "/reply-headers", bodyFile = state.path + "/reply-body", requestFile = state.path + "/request-body"
        var command = ["curl", "-s", "-X", method, "-D", headerFile, "-o", bodyFile, "-w", "%{http_code}"]
        if let body {
            try Data(body.utf8).write(to: URL(fileURLWithPath: requestFile))
            command += ["-H", "Content-Type: \(contentType)", "--data-binary", "@" + requestFile]
        }
        for (name, value) in headers { command += ["-H", "\(name): \(value)"] }
        let result = try ProcessRunner.run(command + [base + path], timeout: 30)
        guard result.status == 0, let status = Int(result.stdout) else { throw TestFailure("curl \(path): \(result.stderr)") }
        var parsed: [String: String] = [:]
        for line in ((try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? "").split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            parsed[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: status, body: (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? "", headers: parsed)
    }

    /// `POST /oauth/token` with HTTP Basic.
    func token(_ client: (id: String, secret: String), scope: String? = nil) throws -> Reply {
        let basic = Data("\(client.id):\(client.secret)".utf8).base64EncodedString()
        return try request("POST", "/oauth/token", body: "grant_type=client_credentials" + (scope.map { "&scope=" + $0.replacingOccurrences(of: " ", with: "+") } ?? ""),
                           contentType: "application/x-www-form-urlencoded", headers: ["Authorization": "Basic \(basic)"])
    }

    /// A bearer token for the client, or a failure.
    func accessToken(_ client: (id: String, secret: String), scope: String? = nil) throws -> String {
        let reply = try token(client, scope: scope)
        guard reply.status == 200, let token = reply.json["access_token"] as? String else { throw TestFailure("token: \(reply.status) \(reply.body)") }
        return token
    }

}

/// `{"minorUnits": N, …}`'s N.
func minorUnits(_ value: Any?) -> Int? { (value as? [String: Any])?["minorUnits"] as? Int }
