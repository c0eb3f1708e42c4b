import Foundation
import Testing
import TestSupport

/// An administrator's system releases and deletes users' held jobs through the Accounts API
/// (`POST /api/v1/held-jobs/{job}/release`, `DELETE /api/v1/held-jobs/{job}`, scope
/// `jobs:release`), on a real cupsd with jobs of real users: the printer receives what the
/// ledger charges the owner, once, whatever the retries.
@Suite(.serialized) struct APIReleaseEndToEndTests {
    /// The real tollgated on the bench's cupsd and database, on a free loopback port.
    final class Daemon {
        let process: RunningProcess
        let base: String
        let jar: TemporaryDirectory

        init(_ bench: CupsBench) throws {
            let port = try Loopback.freePort()
            base = "http://127.0.0.1:\(port)"
            jar = try TemporaryDirectory(mode: 0o700)
            process = try RunningProcess([BuiltProducts.executable("tollgated"), "--listen", "127.0.0.1:\(port)", "--db", bench.database,
                                          "--pin-key", bench.pinKey, "--cups-server", bench.values["CUPS_SERVER"]!, "--no-socket", "--no-gate",
                                          "--api-rate-limit", "0"],
                                         environment: ["PATH": "/usr/bin:/bin", "LANG": "C"])
            let deadline = Date().addingTimeInterval(30)
            while (try? request("GET", "/api/v1/openapi.json"))?.status != 200 {
                guard Date() < deadline else { throw TestFailure("tollgated did not start") }
                usleep(100_000)
            }
        }

        deinit {
            process.signal(SIGTERM)
            _ = try? process.wait(timeout: 10)
        }

        func request(_ method: String, _ path: String, token: String? = nil, body: String? = nil,
                     headers: [String: String] = [:]) throws -> BrowserReply {
            var headers = headers
            if let token { headers["Authorization"] = "Bearer \(token)" }
            var arguments = ["-X", method]
            if let body {
                headers["Content-Type"] = "application/json"
                arguments += ["--data-binary", body]
            }
            return try BrowserReply.curl(jar: jar.path, url: base + path, arguments: arguments, headers: headers)
        }

        /// A bearer token for a new client of `bench` with these scopes.
        func token(_ bench: CupsBench, client name: String, scopes: [String]) throws -> String {
            let added = try bench.tollgate(["api-client", "add", name] + scopes.flatMap { ["--scope", $0] })
            try #require(added.status == 0, "\(added.stderr)")
            func value(_ label: String) -> String {
                added.stdout.split(separator: "\n").first { $0.hasPrefix(label) }.map { $0.dropFirst(label.count).trimmingCharacters(in: .whitespaces) } ?? ""
            }
            let reply = try BrowserReply.curl(jar: jar.path, url: base + "/oauth/token",
                                              arguments: ["-u", "\(value("client_id:")):\(value("client_secret:"))", "-d", "grant_type=client_credentials"],
                                              headers: [:])
            let token = (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])?["access_token"] as? String
            return try #require(token, "token: \(reply.status) \(reply.body)")
        }
    }

    func json(_ reply: BrowserReply) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(reply.body.utf8))) as? [String: Any]) ?? [:]
    }

    func ledger(_ bench: CupsBench) throws -> [[String: Any]] {
        let result = try bench.tollgate(["ledger", "--json"])
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    /// A 2-page PDF of `user` on `secure` (0.11 EUR on the example card), held by the backend.
    func heldJob(_ bench: CupsBench, user: SystemUser) throws -> Int {
        let docs = try TemporaryDirectory()
        let job = try bench.submit(try TestDocuments.pdf(pages: 2, in: docs.path), queue: "secure", user: user)
        try #require(try bench.waitForJob(job, in: ["pending-held", "completed", "aborted"]).state == "pending-held")
        return job
    }

    @Test func aClientWithTheScopeReleasesAUsersJobOnceAndTheOwnerPaysWhatPrinted() throws {
        let bench = try CupsBench()
        try bench.addQueue("secure", kind: "raw", options: ["-o", "tollgate-mode-default=release"])
        try bench.tollgate(["account", "add", "Physics", "--code", "PHY", "--soft", "5", "--hard", "10"])
        let alice = try SystemUser(prefix: "tgalice"), bob = try SystemUser(prefix: "tgbob")
        // Only alice may use Physics: bob has neither an account nor money, so his job is refused.
        try bench.tollgate(["account", "access", "Physics", "--add-user", alice.name])
        try bench.tollgate(["topup", alice.name, "1.00"])
        let job = try heldJob(bench, user: alice)
        let daemon = try Daemon(bench)
        let reader = try daemon.token(bench, client: "reader", scopes: ["reports:read", "accounts:admin"])
        let helpdesk = try daemon.token(bench, client: "helpdesk", scopes: ["jobs:release"])
        let release = "/api/v1/held-jobs/\(job)/release"

        // Without jobs:release: 403, and nothing happens.
        let forbidden = try daemon.request("POST", release, token: reader, headers: ["Idempotency-Key": "r1"])
        #expect(forbidden.status == 403 && forbidden.headers["content-type"] == "application/problem+json", "\(forbidden.status) \(forbidden.body)")
        #expect(try daemon.request("DELETE", "/api/v1/held-jobs/\(job)", token: reader).status == 403)
        #expect(try daemon.request("POST", release, token: nil, headers: ["Idempotency-Key": "r1"]).status == 401)
        // Releasing makes the owner pay: the key is required.
        let keyless = try daemon.request("POST", release, token: helpdesk)
        #expect(keyless.status == 400 && keyless.body.contains("Idempotency-Key"), "\(keyless.body)")
        #expect(try bench.jobStatus(job).state == "pending-held")
        #expect(try bench.receivedDocuments().isEmpty)

        // Released on the account Physics: the station's sentence, the owner and the expected payer.
        let body = #"{"account": "PHY"}"#
        let first = try daemon.request("POST", release, token: helpdesk, body: body, headers: ["Idempotency-Key": "k1"])
        try #require(first.status == 200, "\(first.status) \(first.body)")
        let answer = json(first)
        let message = answer["message"] as? String ?? ""
        #expect(message.hasPrefix("Released ") && message.hasSuffix("(job \(job)) to secure: it prints now; 0.11 EUR on account Physics."), "\(first.body)")
        #expect(answer["user"] as? String == alice.name)
        #expect((answer["job"] as? [String: Any])?["state"] as? String == "released")
        #expect(try bench.waitForJob(job, in: ["completed", "aborted", "pending-held"]).state == "completed")

        // A retry (even concurrent ones) answers the first answer; another request under the key is 422.
        let retries = (0..<4).map { _ in DispatchQueue.global() }
        let group = DispatchGroup()
        final class Replies: @unchecked Sendable { let lock = NSLock(); var all: [BrowserReply] = [] }
        let collected = Replies()
        let url = daemon.base + release
        for queue in retries {
            group.enter()
            queue.async {
                defer { group.leave() }
                let jar = try? TemporaryDirectory(mode: 0o700)
                guard let jar, let reply = try? BrowserReply.curl(jar: jar.path, url: url,
                                                                    arguments: ["-X", "POST", "--data-binary", body],
                                                                    headers: ["Authorization": "Bearer \(helpdesk)", "Content-Type": "application/json",
                                                                              "Idempotency-Key": "k1"]) else { return }
                collected.lock.lock(); collected.all.append(reply); collected.lock.unlock()
            }
        }
        group.wait()
        let replays = collected.all
        #expect(replays.count == 4)
        for replay in replays {
            #expect(replay.status == 200 && replay.body == first.body && replay.headers["idempotent-replayed"] == "true", "\(replay.status) \(replay.body)")
        }
        let reused = try daemon.request("POST", release, token: helpdesk, body: "{}", headers: ["Idempotency-Key": "k1"])
        #expect(reused.status == 422, "\(reused.status) \(reused.body)")
        let again = try daemon.request("POST", release, token: helpdesk, headers: ["Idempotency-Key": "k2"])
        #expect(again.status == 409 && json(again)["type"] as? String == "urn:tollgate:problem:already-released", "\(again.body)")
        // The answer is kept in the database: a retry at another tollgated (or after a restart)
        // is the same replay, not a 409.
        let other = try Daemon(bench)
        let afterRestart = try other.request("POST", release, token: helpdesk, body: body, headers: ["Idempotency-Key": "k1"])
        #expect(afterRestart.status == 200 && afterRestart.body == first.body && afterRestart.headers["idempotent-replayed"] == "true",
                "\(afterRestart.status) \(afterRestart.body)")

        // What the printer received next to what the ledger charged: one document, one debit of
        // the job's price, on the account asked for, with the API client as who released it.
        #expect(try bench.receivedDocuments().count == 1)
        let debits = try ledger(bench).filter { $0["kind"] as? String == "debit" }
        #expect(debits.count == 1, "charged once: \(debits)")
        #expect((debits.first?["account"] as? [String: Any])?["name"] as? String == "Physics", "\(debits)")
        #expect("\(debits.first?["amount"] ?? "")".contains("0.11"), "the job's price: \(debits)")
        #expect((debits.first?["actor"] as? String ?? "").contains("via api:helpdesk"), "\(debits)")
        #expect((debits.first?["user"] as? String) == alice.name, "\(debits)")

        // A job the owner cannot pay is refused with the station's sentence, and stays held.
        let broke = try heldJob(bench, user: bob)
        let refused = try daemon.request("POST", "/api/v1/held-jobs/\(broke)/release", token: helpdesk, headers: ["Idempotency-Key": "k3"])
        #expect(refused.status == 402 && json(refused)["type"] as? String == "urn:tollgate:problem:insufficient-funds", "\(refused.body)")
        #expect((json(refused)["detail"] as? String ?? "").hasPrefix("Job \(broke) was not released: it costs 0.11 EUR"), "\(refused.body)")
        #expect(try bench.jobStatus(broke).state == "pending-held")

        // Deleted: the sentence, cancelled in cupsd, nothing charged, the client in the job history.
        let deleted = try daemon.request("DELETE", "/api/v1/held-jobs/\(broke)", token: helpdesk)
        #expect(deleted.status == 200 && json(deleted)["message"] as? String == "Job \(broke) was deleted; nothing was charged.", "\(deleted.body)")
        #expect(try bench.waitForJob(broke, in: ["canceled", "completed", "aborted"]).state == "canceled")
        let twice = try daemon.request("DELETE", "/api/v1/held-jobs/\(broke)", token: helpdesk)
        #expect(twice.status == 409 && json(twice)["type"] as? String == "urn:tollgate:problem:not-held", "\(twice.body)")
        let history = try bench.tollgate(["jobs", "--history", "--json"]).stdout
        #expect(history.contains("\"actor\":\"api:helpdesk\"") || history.contains("\"actor\" : \"api:helpdesk\""), "\(history)")
        let unknown = try daemon.request("POST", "/api/v1/held-jobs/99999/release", token: helpdesk, headers: ["Idempotency-Key": "k4"])
        #expect(unknown.status == 404 && json(unknown)["type"] as? String == "urn:tollgate:problem:unknown-job", "\(unknown.body)")

        #expect(try bench.receivedDocuments().count == 1, "only alice's job printed")
        #expect(try ledger(bench).filter { $0["kind"] as? String == "debit" }.count == 1)
        #expect(try bench.tollgate(["check"]).status == 0)
    }
}
