import IPPWire
import Pricing
import QuotaDB

/// Settles or releases reservations left open by a backend that died (SIGKILL, power cut) between
/// reserving and settling, from what cupsd knows of the job.
///
/// Policy, per open reservation of this server:
/// - the job has ended (`completed`, `canceled`, `aborted`) → charged what the printer had
///   confirmed while the backend lived (``Gatekeeper/printing(_:reservation:report:scheme:)``:
///   every byte sent to a socket/lpd printer, or the printer's impressions), else released:
///   cupsd's `completed` proves nothing (a SIGKILLed backend's job completes).
/// - cupsd no longer knows the job, or its id is another job now → release: nothing proves it printed.
/// - pending, held, processing or stopped → left open: a backend is printing it or will run it
///   again, and that run settles or releases the same key (it is reserved once, never twice).
/// Reservations of other servers (a shared database) are left to their own server.
public struct Reconciler {
    public enum Outcome: Equatable, Sendable, CustomStringConvertible {
        case settled(jobKey: String, amount: Money, evidence: String)
        case released(jobKey: String, reason: String)
        case leftOpen(jobKey: String, reason: String)

        public var description: String {
            switch self {
            case .settled(let key, let amount, let evidence): "\(key): charged \(amount) (\(evidence))"
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
            guard let jobKey = JobKey(rawValue: key), jobKey.server == serverName else {
                outcomes.append(.leftOpen(jobKey: key, reason: "not a job of server \(serverName)"))
                continue
            }
            let (jobID, created) = (jobKey.jobID, jobKey.createdAt)
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
            switch attributes.jobState {
            case let state? where state.hasEnded:
                // Finished, one way or another: charge what the printer had confirmed while the
                // backend lived. cupsd's "completed" proves nothing (a SIGKILLed backend's job
                // completes), and a job that was cut off may still have printed all it got.
                if let delivered = try store.delivery(jobKey: key), delivered.amount.minorUnits > 0 {
                    try store.settle(jobKey: key, amount: delivered.amount, actor: actor)
                    outcomes.append(.settled(jobKey: key, amount: delivered.amount, evidence: delivered.evidence))
                } else {
                    try store.cancel(jobKey: key, actor: actor)
                    outcomes.append(.released(jobKey: key, reason: "job \(jobID) ended and nothing shows that the printer printed any of it"))
                }
            default:
                outcomes.append(.leftOpen(jobKey: key, reason: "job \(jobID) is not finished"))
            }
        }
        return outcomes
    }
}
