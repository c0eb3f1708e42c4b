import Foundation
import Testing
import TestSupport

/// A user at a terminal, who cannot write the quota database, lists and releases their own jobs
/// through tollgated's local socket, which knows them by their Unix user id (SO_PEERCRED).
@Suite(.serialized) struct LocalSocketEndToEndTests {
    @Test func aUserReleasesTheirOwnJobAndNoOneElses() throws {
        let bench = try CupsBench()
        try bench.addQueue("secure", kind: "raw", options: ["-o", "tollgate-mode-default=release"])
        let carol = try SystemUser(prefix: "tgcarol"), dave = try SystemUser(prefix: "tgdave")
        try bench.tollgate(["topup", carol.name, "1.00"])
        let docs = try TemporaryDirectory()
        let pdf = try TestDocuments.pdf(pages: 1, in: docs.path)
        let own = try bench.submit(pdf, queue: "secure", user: carol)
        let other = try bench.submit(pdf, queue: "secure", user: dave)
        for job in [own, other] { _ = try bench.waitForJob(job, in: ["pending-held"]) }

        let socket = bench.dir + "/tollgated.sock"
        let daemon = try RunningProcess([BuiltProducts.executable("tollgated"), "--listen", "127.0.0.1:0", "--db", bench.database,
                                         "--cups-server", bench.values["CUPS_SERVER"]!, "--socket", socket, "--no-gate"],
                                        environment: ["PATH": "/usr/bin:/bin", "LANG": "C"])
        defer { daemon.signal(SIGTERM); _ = try? daemon.wait(timeout: 10) }
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: socket) && Date() < deadline { usleep(100_000) }

        // A copy carol can run wherever the build directory is (CI may clone under /root).
        let bin = try TemporaryDirectory(mode: 0o755)
        let tollgate = bin.path + "/tollgate"
        try FileManager.default.copyItem(atPath: BuiltProducts.executable("tollgate"), toPath: tollgate)
        chmod(tollgate, 0o755)
        func asCarol(_ arguments: [String]) throws -> ProcessResult {
            try ProcessRunner.run(["runuser", "-u", carol.name, "--", tollgate] + arguments
                                  + ["--socket", socket, "--db", bench.database], environment: ["PATH": "/usr/bin:/bin", "LANG": "C"])
        }
        let jobs = try asCarol(["jobs"])
        #expect(jobs.status == 0, "\(jobs.stderr)")
        // The JOB column only (a "2 s" wait or a page count is no job id).
        let listed = jobs.stdout.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(listed == ["\(own)"], "only her own job: \(jobs.stdout)")
        let spoof = try asCarol(["release", "\(other)"])
        #expect(spoof.status != 0 && spoof.stderr.contains("You have no job \(other) waiting"), "\(spoof.stderr)")
        let forOther = try asCarol(["release", "\(other)", "--user", dave.name])
        #expect(forOther.status != 0 && forOther.stderr.contains("administrators only"), "\(forOther.stderr)")
        let release = try asCarol(["release", "\(own)"])
        #expect(release.status == 0, "\(release.stdout) \(release.stderr)")
        #expect(try bench.waitForJob(own, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try bench.jobStatus(other).state == "pending-held")
        #expect(try bench.receivedDocuments().count == 1)

        // Account choice turned off (the admin console's client setting): carol choosing an
        // account through the socket is refused with the station's sentence; nothing is
        // released and her active account stays; without choosing, her job is released.
        try bench.tollgate(["account", "add", "Physics", "--code", "PHY", "--global", "--soft", "5", "--hard", "10"])
        try #require(try bench.tollgate(["clients", "--account-choice", "off"]).status == 0)
        let second = try bench.submit(pdf, queue: "secure", user: carol)
        _ = try bench.waitForJob(second, in: ["pending-held"])
        let sentence = "Choosing accounts is turned off here: your jobs are charged to your active account. Ask the help desk to change it."
        let chosen = try asCarol(["release", "\(second)", "--account", "Physics"])
        #expect(chosen.status != 0 && chosen.stderr.contains(sentence), "\(chosen.stdout) \(chosen.stderr)")
        let active = try asCarol(["active", "set", "Physics"])
        #expect(active.status != 0 && active.stderr.contains(sentence), "\(active.stdout) \(active.stderr)")
        #expect(try bench.jobStatus(second).state == "pending-held")
        #expect(try bench.receivedDocuments().count == 1)
        let plain = try asCarol(["release", "\(second)"])
        #expect(plain.status == 0, "\(plain.stdout) \(plain.stderr)")
        #expect(try bench.waitForJob(second, in: ["completed", "aborted", "pending-held"]).state == "completed")
        #expect(try bench.receivedDocuments().count == 2)
        #expect(try bench.tollgate(["clients", "--account-choice", "on"]).stdout.contains("account choice: on"))
    }
}
