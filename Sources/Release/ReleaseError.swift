import CupsClient
import QuotaDB

/// Why a release-station request did not happen, in words for the person at the station.
public enum ReleaseError: Error, Sendable, CustomStringConvertible {
    /// No job with this number waits for this user (also said for another user's job).
    case noSuchJob(jobID: Int)
    /// The job is no longer waiting for release.
    case notHeld(jobID: Int, state: HeldJobState)
    /// The chain cannot pay the job now; nothing was released.
    case cannotPay(jobID: Int, refusal: Refusal)
    /// Follow-me to a queue that is not a release queue of this server.
    case notAReleaseQueue(String)
    /// The queue's Tollgate options are wrong; an administrator must fix them.
    case queueMisconfigured(queue: String, detail: String)
    /// cupsd could not be reached or refused the operation.
    case cups(CupsClientError)
    /// The quota database refused or failed.
    case quota(QuotaError)
    /// A user chose an account (or changed their active one) where the administrator's client
    /// setting turned choosing off (the station, the portal, `tollgate release --account` as a user).
    case accountChoiceOff

    public var description: String {
        switch self {
        case .noSuchJob(let id):
            "you have no job \(id) waiting for release"
        case .notHeld(let id, let state):
            "job \(id) is not waiting for release any more (\(state.rawValue))"
        case .cannotPay(let id, let refusal):
            "job \(id) was not released: \(ReleaseError.words(refusal))"
        case .notAReleaseQueue(let queue):
            "\(queue) is not a release printer of this server"
        case .queueMisconfigured(let queue, let detail):
            "printer \(queue) is misconfigured (\(detail)); ask an administrator"
        case .cups(let error):
            "the print server did not answer as expected: \(error)"
        case .quota(let error):
            "\(error)"
        case .accountChoiceOff:
            "choosing accounts is turned off here: your jobs are charged to your active account. Ask the help desk to change it"
        }
    }

    /// The description as a sentence: first letter capitalised, a final full stop.
    public var sentence: String { ReleaseError.sentence(description) }

    /// `text` with its first letter capitalised and a final full stop.
    public static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        let capitalised = first.uppercased() + text.dropFirst()
        return capitalised.hasSuffix(".") ? capitalised : capitalised + "."
    }

    /// A refusal in words a student understands: price, what is left, what to do.
    static func words(_ refusal: Refusal) -> String {
        switch refusal.reason {
        case .insufficientFunds, .balanceNotPositive:
            var text = "it costs \(refusal.price)"
            if let account = refusal.balances.account, let remaining = account.remaining {
                text += ", \(remaining) is left on account \(account.account.name)"
            }
            text += " and your personal wallet holds \(refusal.balances.wallet)"
            if let shortfall = refusal.shortfall { text += "; top up at least \(shortfall) or choose another account" }
            return text
        default:
            return "\(refusal.reason)"
        }
    }
}
