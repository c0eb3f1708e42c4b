import Foundation
import Pricing

/// Where a job of a `release` queue is in its life.
public enum HeldJobState: String, Hashable, Sendable, Codable, CaseIterable {
    /// Waiting for its owner at a release station.
    case held
    /// Its owner released it; cupsd is running it (or about to).
    case released
    /// It printed and was charged.
    case printed
    /// Its owner (or an admin) deleted it.
    case deleted
    /// Nobody released it within the queue's hold lifetime; it was cancelled.
    case expired
}

/// A job on a `release` queue, as the backend priced it when it first held it.
public struct HeldJob: Hashable, Sendable, Encodable {
    /// The job key (`SERVER/JOB-ID/TIME-AT-CREATION`).
    public var jobKey: String
    public var jobID: Int
    public var queue: String
    /// The owner cupsd recorded (`job-originating-user-name`).
    public var owner: String
    /// The document's name as the user sent it: untrusted text, escape it before showing it.
    public var title: String
    public var pageSides: Int
    public var sheets: Int
    public var copies: Int
    public var colourPages: Int
    /// The queue card's quote when the job was held.
    public var price: Money
    public var ratesCard: String
    public var state: HeldJobState
    /// Why it waits (the last refusal), empty when it simply waits for release.
    public var message: String
    public var heldAt: Date
    public var expiresAt: Date
    public var updatedAt: Date
    /// The account the job asked for at submit (`job-account-id`, name or code): the station
    /// offers it first.
    public var requestedAccount: String?

    public init(jobKey: String, jobID: Int, queue: String, owner: String, title: String, pageSides: Int, sheets: Int,
                copies: Int, colourPages: Int, price: Money, ratesCard: String, state: HeldJobState = .held,
                message: String = "", heldAt: Date, expiresAt: Date, updatedAt: Date? = nil, requestedAccount: String? = nil) {
        self.requestedAccount = requestedAccount
        self.jobKey = jobKey
        self.jobID = jobID
        self.queue = queue
        self.owner = owner
        self.title = title
        self.pageSides = pageSides
        self.sheets = sheets
        self.copies = copies
        self.colourPages = colourPages
        self.price = price
        self.ratesCard = ratesCard
        self.state = state
        self.message = message
        self.heldAt = heldAt
        self.expiresAt = expiresAt
        self.updatedAt = updatedAt ?? heldAt
    }
}

/// One user's permission to print one held job once, with the account they chose.
public struct ReleaseGrant: Hashable, Sendable, Encodable {
    /// How long a grant stays usable (ten minutes): cupsd starts a released job within seconds, so
    /// an older grant belongs to a release that failed, and must not let a later `lp -H resume`
    /// by anyone print the job.
    public static let lifetime: TimeInterval = 600

    public var jobKey: String
    /// Who released it: must be the job's owner.
    public var user: String
    /// The account chosen at the station (name or code); `nil` charges the user's usual chain.
    public var account: String?
    public var grantedAt: Date
    /// `station`, `cli`, `admin:NAME`…
    public var grantedBy: String
}

/// What happened to a job of a `release` queue (append-only history).
public enum JobEventKind: String, Hashable, Sendable, Codable, CaseIterable {
    case held, refused, released, printed, failed, deleted, expired, moved
}

/// One line of a job's history.
public struct JobEvent: Hashable, Sendable, Encodable {
    public var id: Int64
    public var at: Date
    public var jobKey: String
    public var user: String
    public var kind: JobEventKind
    public var detail: String
    public var actor: String
}

/// A card number and PIN for signing in at a release station. The PIN is only ever stored hashed.
public struct PINCredential: Hashable, Sendable {
    public var user: String
    public var cardNumber: String?
    /// The PIN's hash as Release's `PINHash` writes it (`$tgp1$…`: crypt(3) and the pepper; `$y$…`
    /// from before the pepper).
    public var pinHash: String
}
