import IPPWire
import QuotaDB

/// What a queue's administrator decided, read from cupsd's printer attributes: the
/// `tollgate-*-default` options set with `lpadmin -p QUEUE -o tollgate-…-default=VALUE`.
///
/// Never built from argv[5] or job attributes: any user can send `tollgate-mode=track` with a
/// job. A missing option takes its documented default; a malformed one is an error, and the
/// backend holds the job rather than print it for free.
public struct QueuePolicy: Equatable, Sendable {
    /// How the queue charges.
    public enum Mode: String, Sendable, CaseIterable {
        /// Always print; charge what printed (wallets may go negative).
        case track
        /// Print when the wallet chain allows it (see ``Rule``), else hold the job.
        case quota
        /// Hold every job until its owner releases it at a release station.
        case release
    }

    /// When a `quota` queue lets a job print.
    public enum Rule: String, Sendable, CaseIterable {
        /// The wallet chain must cover the whole price.
        case cover
        /// Watchdoc's rule: print while the balance is positive; it may go below zero.
        case positive
    }

    /// Whose name a job's owner is: who cupsd authenticated, or whatever the client claimed.
    public enum Owner: String, Sendable, CaseIterable {
        /// Charge only jobs whose owner cupsd authenticated (the queue's `printer-op-policy`
        /// authenticates job submission, cups/tollgate-policy.conf); other jobs are held.
        case authenticated
        /// The administrator trusts claimed names (a closed site): charge the name cupsd recorded.
        case claimed
    }

    /// What a job whose document cannot be analysed (no honest bound on its pages) does.
    public enum Unanalysable: String, Sendable, CaseIterable {
        /// Held with the reason: nothing proves what it would print.
        case hold
        /// Priced at the card's fallback rate for unknown formats (the administrator accepts it).
        case fallback
    }

    /// What a job does when the quota database cannot be reached (``OfflineJournal``).
    public enum Offline: String, Sendable, CaseIterable {
        /// Held with the reason; cupsd runs it again when it is released or the queue restarted.
        case hold
        /// Printed, and its charge recorded in this server's journal, replayed once the database is back.
        case record
    }

    public var mode: Mode
    public var rule: Rule
    public var owner: Owner = .authenticated
    public var unanalysable: Unanalysable = .hold
    public var offline: Offline = .hold
    /// The rates card's name; nil means the site's default card.
    public var ratesCard: String?
    /// How long a held job waits for release before it is cancelled.
    public var holdHours: Int
    /// Page, price and colour limits on each job (``JobRules``).
    public var rules = JobRules()

    /// Defaults when an option is absent: quota mode, cover rule, site default card, 48 hours.
    public static let defaults = QueuePolicy(mode: .quota, rule: .cover, ratesCard: nil, holdHours: 48)

    public init(mode: Mode, rule: Rule, ratesCard: String?, holdHours: Int) {
        self.mode = mode
        self.rule = rule
        self.ratesCard = ratesCard
        self.holdHours = holdHours
    }

    /// The quota store's rule for jobs of this queue.
    public var chargePolicy: ChargePolicy {
        switch (mode, rule) {
        case (.track, _): .track
        case (_, .positive): .positive
        default: .cover
        }
    }

    /// The printer attributes to ask cupsd for.
    public static let attributeNames = ["tollgate-mode-default", "tollgate-rule-default",
                                        "tollgate-rates-default", "tollgate-hold-hours-default",
                                        "tollgate-owner-default", "tollgate-unanalysable-default",
                                        "tollgate-max-pages-default", "tollgate-max-cost-default",
                                        "tollgate-colour-default", "tollgate-duplex-default",
                                        "tollgate-over-limit-default", "tollgate-offline-default"]

    /// Reads the policy from a queue's printer attributes.
    public init(printerAttributes attributes: IPPAttributes) throws(QueuePolicyError) {
        var policy = QueuePolicy.defaults
        policy.mode = try QueuePolicy.keyword(attributes, "tollgate-mode-default") ?? policy.mode
        policy.rule = try QueuePolicy.keyword(attributes, "tollgate-rule-default") ?? policy.rule
        policy.owner = try QueuePolicy.keyword(attributes, "tollgate-owner-default") ?? policy.owner
        policy.unanalysable = try QueuePolicy.keyword(attributes, "tollgate-unanalysable-default") ?? policy.unanalysable
        policy.offline = try QueuePolicy.keyword(attributes, "tollgate-offline-default") ?? policy.offline
        if let value = try QueuePolicy.single(attributes, "tollgate-rates-default") {
            let allowed = value.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E
            }
            guard !value.isEmpty, value.utf8.count <= 64, allowed else {
                throw .invalidValue(option: "tollgate-rates-default", value: value, expected: ["a card name: letters, digits, - _ ."])
            }
            policy.ratesCard = value
        }
        if let value = try QueuePolicy.single(attributes, "tollgate-hold-hours-default") {
            guard let hours = Int(value), hours >= 1, hours <= 24 * 366 else {
                throw .invalidValue(option: "tollgate-hold-hours-default", value: value, expected: ["a number of hours from 1 to 8784"])
            }
            policy.holdHours = hours
        }
        if let value = try QueuePolicy.single(attributes, "tollgate-max-pages-default") {
            guard let pages = Int64(value), pages >= 1, pages <= 10_000_000 else {
                throw .invalidValue(option: "tollgate-max-pages-default", value: value, expected: ["a number of printed sides from 1 to 10000000"])
            }
            policy.rules.maxPageSides = pages
        }
        if let value = try QueuePolicy.single(attributes, "tollgate-max-cost-default") {
            // Read in the card's currency when a job is priced; the number must be one now.
            let number = value.split(separator: " ").first.map(String.init) ?? ""
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), number.filter({ $0 == "." }).count <= 1 else {
                throw .invalidValue(option: "tollgate-max-cost-default", value: value, expected: ["an amount such as 5.00"])
            }
            policy.rules.maxCost = value
        }
        policy.rules.colour = try QueuePolicy.keyword(attributes, "tollgate-colour-default") ?? policy.rules.colour
        policy.rules.duplex = try QueuePolicy.keyword(attributes, "tollgate-duplex-default") ?? policy.rules.duplex
        policy.rules.overLimit = try QueuePolicy.keyword(attributes, "tollgate-over-limit-default") ?? policy.rules.overLimit
        self = policy
    }

    /// Option `name` as one of `Choice`'s keywords (any case), nil when absent; anything else is an error.
    private static func keyword<Choice: RawRepresentable & CaseIterable>(_ attributes: IPPAttributes, _ name: String) throws(QueuePolicyError) -> Choice?
    where Choice.RawValue == String {
        guard let value = try single(attributes, name) else { return nil }
        guard let choice = Choice(rawValue: value.lowercased()) else {
            throw .invalidValue(option: name, value: value, expected: Choice.allCases.map(\.rawValue))
        }
        return choice
    }

    /// The one value of option `name`, nil when absent; more than one value is an error.
    private static func single(_ attributes: IPPAttributes, _ name: String) throws(QueuePolicyError) -> String? {
        let values = attributes.values(name)
        guard !values.isEmpty else { return nil }
        guard values.count == 1 else { throw .invalidValue(option: name, value: values.map(\.description).joined(separator: ","), expected: ["one value"]) }
        return values[0].description.trimmingWhitespace()
    }
}

/// A queue option an administrator set to something Tollgate cannot use.
public enum QueuePolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidValue(option: String, value: String, expected: [String])

    public var description: String {
        switch self {
        case .invalidValue(let option, let value, let expected):
            "queue option \(option)=\"\(value)\" is not valid (expected \(expected.joined(separator: " | "))); fix it with lpadmin -p QUEUE -o \(option)=VALUE"
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
