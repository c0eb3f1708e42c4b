import ArgumentParser
import Foundation
import Pricing
import QuotaDB

/// `tollgate debug …`: the backend's calls from the command line, for tests and benchmarks.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Run the backend's quota calls by hand (tests, benchmarks, repairs).",
        shouldDisplay: false,
        subcommands: [Authorize.self, Settle.self, Cancel.self, Bench.self])

    /// Exit status of `debug authorize` when the job is refused (CUPS_BACKEND_HOLD).
    static let refusedExitCode: Int32 = 3

    struct Authorize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Authorise one job; prints one JSON line. Exit 0 approved, 3 refused, 1 error.")
        @OptionGroup var store: StoreOptions
        @Option var job: String
        @Option var user: String
        @Option var amount: String
        @Option(help: "cover, positive or track.") var policy: String = "cover"
        @Option(help: "The job's own account choice.") var account: String?

        func run() throws {
            guard let chosen = ChargePolicy(rawValue: policy) else { throw ValidationError("--policy \(policy): use cover, positive or track") }
            let db = try store.open()
            let decision = try db.authorize(AuthorizationRequest(jobKey: job, user: user, amount: try db.amount(amount, what: "--amount"),
                                                                 policy: chosen, account: account, actor: "debug"))
            switch decision {
            case .approved(let a):
                print(#"{"decision":"approved","job":"\#(job)","repeat":\#(a.isRepeat),"account_part":\#(a.reservation.accountPart.minorUnits),"wallet_part":\#(a.reservation.walletPart.minorUnits),"wallet_after":\#(a.balances.wallet.minorUnits)}"#)
            case .refused(let r):
                print(#"{"decision":"refused","job":"\#(job)","shortfall":\#(r.shortfall?.minorUnits ?? 0),"wallet":\#(r.balances.wallet.minorUnits)}"#)
                FileHandle.standardError.write(Data((r.description + "\n").utf8))
                throw ExitCode(DebugCommand.refusedExitCode)
            }
        }
    }

    struct Settle: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Settle a job's reservation (idempotent).")
        @OptionGroup var store: StoreOptions
        @Option var job: String
        @Option(help: "Charge less than reserved.") var amount: String?
        func run() throws {
            let db = try store.open()
            let r = try db.settle(jobKey: job, amount: try amount.map { try db.amount($0, what: "--amount") }, actor: "debug")
            print("job \(job): \(r.state.rawValue), \(r.total) (account \(r.accountPart), wallet \(r.walletPart))")
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release a job's reservation (idempotent).")
        @OptionGroup var store: StoreOptions
        @Option var job: String
        func run() throws {
            switch try store.open().cancel(jobKey: job, actor: "debug") {
            case .released(let r): print("job \(job): released \(r.total)")
            case .alreadyReleased: print("job \(job): already released")
            case .nothingReserved: print("job \(job): nothing reserved")
            }
        }
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure authorisations per second in this process, and the cost of opening the database.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Authorisations to run.") var count = 2000
        @Option(help: "Opens to time.") var opens = 200
        @Option(help: "Price of each job.") var amount = "0.01"
        @Option(help: "Spread the jobs over this many users.") var users = 50
        @Flag(help: "Also settle each job (authorise + settle, as the backend does).") var settle = false

        func run() throws {
            let clock = ContinuousClock()
            var db = try store.open()
            let openTime = clock.measure {
                for _ in 0..<opens { db = try! store.open() }
            }
            let price = try db.amount(amount, what: "--amount")
            let run = UUID().uuidString.prefix(8)
            var approved = 0
            var usageBefore = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usageBefore)
            let authTime = try clock.measure {
                for i in 0..<count {
                    let key = "bench-\(run)-\(i)"
                    let decision = try db.authorize(AuthorizationRequest(jobKey: key, user: "bench\(i % users)", amount: price, policy: .track, actor: "bench"))
                    if decision.isApproved { approved += 1 }
                    if settle { try db.settle(jobKey: key, amount: nil, actor: "bench") }
                }
            }
            func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
            if opens > 0 {
                print(String(format: "open: %.3f ms per open, in-process (%d opens)", seconds(openTime) * 1000 / Double(opens), opens))
            }
            var usageAfter = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usageAfter)
            func cpu(_ u: rusage) -> Double {
                Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
            }
            let cpuSeconds = cpu(usageAfter) - cpu(usageBefore)
            print(String(format: "authorize%@: %d in %.3f s = %.0f per second wall (%d approved); CPU %.3f ms each = %.0f per CPU-second",
                         settle ? "+settle" : "", count, seconds(authTime), Double(count) / seconds(authTime), approved,
                         cpuSeconds * 1000 / Double(count), Double(count) / cpuSeconds))
        }
    }
}
