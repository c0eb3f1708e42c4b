import Foundation
import Pricing
import Testing
@testable import QuotaDB

/// Authorisations from separate processes (`tollgate debug authorize`), as the backend runs:
/// one short-lived process per job, all racing for the same wallet.
@Suite("Concurrent authorisations from separate processes", .serialized)
struct ProcessConcurrencyTests {
    /// The built `tollgate` executable: `$TOLLGATE_BIN_DIR/tollgate`, else next to the test binary.
    static func tollgateExecutable() throws -> String {
        if let dir = ProcessInfo.processInfo.environment["TOLLGATE_BIN_DIR"] { return dir + "/tollgate" }
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("tollgate").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        throw QuotaError.databaseUnavailable(path: "tollgate", detail: "the tollgate executable was not built (run swift build)")
    }

    struct Outcome { var job: String; var status: Int32; var output: String }

    /// Starts every authorisation at once, then waits for all of them.
    static func authorizeInParallel(db: String, jobs: [String], user: String, amount: String) throws -> [Outcome] {
        let executable = try tollgateExecutable()
        var running: [(String, Process, Pipe)] = []
        for job in jobs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["debug", "authorize", "--db", db, "--busy-timeout", "60", "--job", job, "--user", user,
                                 "--amount", amount, "--policy", "cover"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            running.append((job, process, pipe))
        }
        return running.map { job, process, pipe in
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Outcome(job: job, status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
        }
    }

    @Test func twoHundredRacersForExactFundsForOneHundredJobs() throws {
        let t = try TestStore()
        // Funds for exactly 100 jobs of 0.10: 5.00 on the account allocation, 5.00 in the wallet.
        try t.store.limitedAccount("Math", soft: "5", hard: "5")
        try t.store.topUp(user: "alice", amount: eur("5"), reference: nil, actor: "admin")
        let outcomes = try Self.authorizeInParallel(db: t.path, jobs: (0..<200).map { "race-\($0)" }, user: "alice", amount: "0.10")

        let errors = outcomes.filter { $0.status != 0 && $0.status != 3 }
        #expect(errors.isEmpty, "processes failed: \(errors.prefix(3).map { "\($0.job): \($0.status) \($0.output)" })")
        #expect(outcomes.filter { $0.status == 0 }.count == 100)
        #expect(outcomes.filter { $0.status == 3 }.count == 100)
        #expect(try t.store.wallet("alice") == eur("0"))
        #expect(try t.store.used("alice", on: "Math") == eur("5"))
        let reserves = try t.store.ledger(LedgerQuery(kinds: [.reserve]))
        #expect(reserves.allSatisfy { $0.balanceAfter.minorUnits >= -500 && ($0.account != nil || $0.balanceAfter.minorUnits >= 0) })
        #expect(reserves.reduce(0) { $0 + $1.amount.minorUnits } == 1000)
        let report = try t.store.check()
        #expect(report.reservations == 100)
    }

    @Test func repeatedKeysFromSeparateProcessesChargeOnce() throws {
        let t = try TestStore()
        try t.store.topUp(user: "bob", amount: eur("10"), reference: nil, actor: "admin")
        let jobs = (0..<100).flatMap { ["twice-\($0)", "twice-\($0)"] }
        let outcomes = try Self.authorizeInParallel(db: t.path, jobs: jobs, user: "bob", amount: "0.10")
        #expect(outcomes.allSatisfy { $0.status == 0 }, "\(outcomes.filter { $0.status != 0 }.prefix(3).map(\.output))")
        #expect(outcomes.filter { $0.output.contains(#""repeat":true"#) }.count == 100)
        #expect(try t.store.wallet("bob") == eur("0"))
        #expect(try t.store.ledger(LedgerQuery(kinds: [.reserve])).count == 100)
        #expect(try t.store.check().reservations == 100)
    }
}
