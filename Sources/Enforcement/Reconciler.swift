import IPPWire
import QuotaDB

/// Settles or releases reservations left open by a backend that died (SIGKILL, power cut) between
/// reserving and settling, from what cupsd knows of the job.
///
/// Policy, per open reservation of this server:
/// - cupsd says the job is `completed` → settle: the real backend ended with success.
/// - `canceled` or `aborted`, or cupsd no longer knows the job → release: nothing proves it printed.
/// - pending, held, processing or stopped → left open: a backend is printing it or will run it
///   again, and that run settles or releases the same key (it is reserved once, never twice).
/// Reservations of other servers (a shared database) are left to their own server.
public struct Reconciler {
    public enum Outcome: Equatable, Sendable, CustomStringConvertible {
        case settled(jobKey: String)
        case released(jobKey: String, reason: String)
        case leftOpen(jobKey: String, reason: String)

        public var description: String {
            switch self {
            case .settled(let key): "\(key): settled (cupsd says the job completed)"
            case .released(let key, let reason): "\(key): released, refunded (\(reason))"
            case .leftOpen(let key, let reason): "\(key): left open (\(reason))"
            }
        }
    }

    public let serverName: String

    public init(serverName: String) {
        self.serverName = serverName
    }

    public func run(store: QuotaStore, cups: CupsdConnection, actor: String) throws -> [Outcome] {
        var seen = Set<String>()
        var outcomes: [Outcome] = []
        for entry in try store.ledger(LedgerQuery(kinds: [.reserve])) {
            guard let key = entry.jobKey, seen.insert(key).inserted,
                  let reservation = try store.reservation(jobKey: key), reservation.state == .reserved else { continue }
            let parts = key.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == serverName, let jobID = Int(parts[1]), let created = Int(parts[2]) else {
                outcomes.append(.leftOpen(jobKey: key, reason: "not a job of server \(serverName)"))
                continue
            }
            let attributes: IPPAttributes
            do {
                attributes = try cups.jobAttributes(jobID, names: ["job-state", "time-at-creation"])
            } catch CupsClientError.notFound {
                try store.cancel(jobKey: key, actor: actor)
                outcomes.append(.released(jobKey: key, reason: "cupsd no longer knows job \(jobID)"))
                continue
            }
            guard attributes.integer("time-at-creation") == created else {
                try store.cancel(jobKey: key, actor: actor)
                outcomes.append(.released(jobKey: key, reason: "job \(jobID) is another job now"))
                continue
            }
            switch attributes.integer("job-state") {
            case 9:
                try store.settle(jobKey: key, amount: nil, actor: actor)
                outcomes.append(.settled(jobKey: key))
            case 7, 8:
                try store.cancel(jobKey: key, actor: actor)
                outcomes.append(.released(jobKey: key, reason: "job \(jobID) was cancelled or aborted"))
            default:
                outcomes.append(.leftOpen(jobKey: key, reason: "job \(jobID) is not finished"))
            }
        }
        return outcomes
    }
}
