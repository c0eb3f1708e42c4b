import Foundation
import QuotaDB
import Release
import Testing
import TestSupport

/// `bench/station.sh`: 1000 held jobs of one user (real jobs held in cupsd with `lp -H hold`,
/// each with its held_job record written through the store's `recordHeld`), then `wrk` on
/// loopback against the job list with a signed-in session. Runs only when
/// `TOLLGATE_STATION_BENCH` is set (a figure, not a test); prints the numbers.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TOLLGATE_STATION_BENCH"] != nil))
struct StationBenchmark {
    var environment: [String: String] { ProcessInfo.processInfo.environment }

    @Test func jobListUnderLoad() throws {
        let count = Int(environment["TOLLGATE_STATION_BENCH_JOBS"] ?? "") ?? 1000
        let duration = Int(environment["TOLLGATE_STATION_BENCH_SECONDS"] ?? "") ?? 20
        let benchUser = try SystemUser(prefix: "tgbench")
        let user = benchUser.name
        let bench = try CupsBench()
        try bench.addQueue("secure", kind: "raw", options: ["-o", "tollgate-mode-default=release"])
        // cupsd keeps at most MaxJobs (default 500) jobs: allow the held ones.
        let maxJobs = try bench.client(["cupsctl", "MaxJobs=0"])
        try #require(maxJobs.status == 0, "cupsctl: \(maxJobs.stderr)")
        usleep(1_500_000)  // cupsd restarts with the new setting

        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 2, in: docs.path)
        var started = Date()
        let submit = try ProcessRunner.shell("for i in $(seq \(count)); do runuser -u \(user) -- lp -H hold -d secure -t \"bench $i\" \(pdf) >/dev/null || exit 1; done",
                                             environment: bench.clientEnvironment, timeout: 900)
        try #require(submit.status == 0, "lp: \(submit.stderr)")
        print("station bench: submitted \(count) held jobs in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

        // Their held_job records, keyed as the backend keys them.
        let jobs = try activeJobs(bench)
        try #require(jobs.count == count, "cupsd holds \(jobs.count) jobs")
        let store = try SQLQuotaStore(location: DatabaseLocation(path: bench.database))
        let server = TollgatedProcess.hostName()
        started = Date()
        let now = Date()
        for (id, created) in jobs {
            try store.recordHeld(HeldJob(jobKey: "\(server)/\(id)/\(created)", jobID: id, queue: "secure", owner: user,
                                         title: "bench \(id)", pageSides: 2, sheets: 2, copies: 1, colourPages: 0,
                                         price: .init(minorUnits: 11, currency: store.currency), ratesCard: "default",
                                         heldAt: now, expiresAt: now.addingTimeInterval(48 * 3600)),
                                 reason: nil, actor: "bench")
        }
        print("station bench: recorded \(count) held jobs in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        try store.setCredential(user: user, cardNumber: nil,
                                pinHash: try PINHash.make("97531", key: PINKey.loadOrCreate(at: PINKeyLocation(path: bench.pinKey)).key).stored)

        // Where a list request's time goes, in-process.
        let release = ReleaseService(store: store, settings: .init(cupsServer: bench.values["CUPS_SERVER"], serverName: server))
        #expect(try release.heldJobs(for: user).count == count)
        print("station bench: in-process, per call: heldJobs (IPP Get-Jobs + SQLite) \(try milliseconds { _ = try release.heldJobs(for: user) }) ms, "
              + "SQLite alone \(try milliseconds { _ = try store.heldJobs(owner: user) }) ms")

        let station = try TollgatedProcess(bench: bench)
        defer { station.stop() }
        let client = try StationClient(base: station.baseURL)
        let signedIn = try client.signIn(pinFor: user, pin: "97531")
        try #require(signedIn.status == 303, "sign-in: \(signedIn.body)")
        let cookie = try #require(signedIn.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        #expect(try client.apiJobs().count == count)
        let page = try client.get("/jobs")
        print("station bench: GET /api/jobs \(try client.get("/api/jobs").body.utf8.count / 1024) KiB, GET /jobs \(page.body.utf8.count / 1024) KiB")

        for path in ["/api/jobs", "/jobs"] {
            let wrk = try ProcessRunner.run(["wrk", "-t2", "-c8", "-d\(duration)s", "--latency", "-H", "Cookie: \(cookie)",
                                             station.baseURL + path], timeout: TimeInterval(duration + 60))
            try #require(wrk.status == 0, "wrk: \(wrk.stderr)")
            let summary = Self.summary(wrk.stdout)
            print("station bench: \(path) with \(count) jobs: p50 \(summary["50%"] ?? "?"), p99 \(summary["99%"] ?? "?"), "
                  + "\(summary["Requests/sec"] ?? "?") requests/s, non-2xx \(summary["Non-2xx"] ?? "0")")
            print(wrk.stdout)
        }
    }

    func milliseconds(_ body: () throws -> Void) throws -> String {
        try body()
        let rounds = 10
        let start = Date()
        for _ in 0..<rounds { try body() }
        return String(format: "%.1f", Date().timeIntervalSince(start) * 1000 / Double(rounds))
    }

    /// job-id and time-at-creation of every job cupsd holds, from Get-Jobs over IPP.
    func activeJobs(_ bench: CupsBench) throws -> [(Int, Int)] {
        let directory = try TemporaryDirectory()
        let test = try directory.write("get-jobs.test", """
            {
              OPERATION Get-Jobs
              GROUP operation-attributes-tag
              ATTR charset attributes-charset utf-8
              ATTR naturalLanguage attributes-natural-language en
              ATTR uri printer-uri $uri
              ATTR name requesting-user-name root
              ATTR keyword which-jobs not-completed
              ATTR keyword requested-attributes job-id,time-at-creation
              DISPLAY job-id
              DISPLAY time-at-creation
            }
            """)
        let result = try ProcessRunner.run(["ipptool", "-c", "ipp://127.0.0.1:\(bench.values["CUPS_PORT"]!)/", test], timeout: 120)
        guard result.status == 0 else { throw TestFailure("ipptool Get-Jobs: \(result.stdout) \(result.stderr)") }
        return result.stdout.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: ",")
            guard fields.count == 2, let id = Int(fields[0]), let created = Int(fields[1]) else { return nil }
            return (id, created)
        }
    }

    /// Latency percentiles, requests/s and non-2xx count from wrk's output.
    static func summary(_ output: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2 else { continue }
            if ["50%", "75%", "90%", "99%"].contains(String(fields[0])) { values[String(fields[0])] = String(fields[1]) }
            if fields[0] == "Requests/sec:" { values["Requests/sec"] = String(fields[1]) }
            if fields[0] == "Non-2xx" { values["Non-2xx"] = String(fields.last!) }
        }
        return values
    }
}
