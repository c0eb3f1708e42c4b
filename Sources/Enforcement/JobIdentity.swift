import IPPWire
import QuotaDB

/// Who and what a job is, from cupsd's job attributes (Get-Job-Attributes), not from argv.
///
/// The job key that makes charging idempotent is built from values only cupsd assigns:
/// `job-id` and `time-at-creation` (read-only in cupsd's add_job) and the server's name. Not from
/// `job-uuid`: cupsd keeps a client-supplied job-uuid, so a user could copy another job's uuid
/// and have their own job taken for one already paid.
public struct JobIdentity: Equatable, Sendable {
    /// The idempotency key: `SERVER/JOB-ID/TIME-AT-CREATION`.
    public var key: String
    public var jobID: Int
    /// The job's owner as cupsd recorded it (`job-originating-user-name`).
    public var owner: String
    public var name: String
    public var createdAt: Int
    public var copies: Int
    /// IPP `sides` keyword; `one-sided` when absent.
    public var sides: String
    public var numberUp: Int
    /// IPP `print-color-mode`, when the job has one.
    public var printColorMode: String?
    /// IPP `media` keyword, when the job has one.
    public var media: String?
    public var documentFormat: String?
    public var pageRanges: [ClosedRange<Int>]
    /// The application the client named, if any (PWG 5100.7 document-creator-application-name).
    public var application: String?
    /// How many documents the job has (`lp a.pdf b.pdf` makes one job of two).
    public var documentCount: Int
    /// The billing account the job asks to be charged to (PWG 5100.7 `job-account-id`, a name
    /// or code), if any. cupsd does not check it: the store charges it only if the owner may
    /// use it, and never another account in its place.
    public var accountID: String?

    /// The job attributes to ask cupsd for.
    public static let attributeNames = [
        "job-id", "time-at-creation", "job-originating-user-name", "job-name", "copies", "sides",
        "number-up", "print-color-mode", "media", "document-format", "page-ranges",
        "document-creator-application-name", "job-uuid", "number-of-documents", "job-account-id",
    ]

    /// Reads the identity of job `jobID` on server `server` from its attributes.
    ///
    /// The owner and the title are cupsd's own record either way: it hides them from requests
    /// outside `JobPrivateAccess` (by default @OWNER @SYSTEM; root is outside @SYSTEM when
    /// `SystemGroup` does not list it, as on Ubuntu), and it gives the same values to the backend
    /// as argv[2] and argv[3]. `argumentOwner` and `argumentTitle` are those, used when the
    /// attributes lack them.
    public init(jobID: Int, server: String, attributes: IPPAttributes,
                argumentOwner: String? = nil, argumentTitle: String? = nil) throws(JobIdentityError) {
        guard attributes.integer("job-id") == jobID else { throw .missing("job-id", jobID: jobID) }
        guard let created = attributes.integer("time-at-creation") else { throw .missing("time-at-creation", jobID: jobID) }
        guard let owner = [attributes.string("job-originating-user-name"), argumentOwner].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw .missing("job-originating-user-name", jobID: jobID)
        }
        self.key = JobKey(server: server, jobID: jobID, createdAt: created).rawValue
        self.jobID = jobID
        self.owner = owner
        self.name = attributes.string("job-name") ?? argumentTitle ?? ""
        self.createdAt = created
        self.copies = max(1, attributes.integer("copies") ?? 1)
        self.sides = attributes.string("sides") ?? "one-sided"
        self.numberUp = max(1, attributes.integer("number-up") ?? 1)
        self.printColorMode = attributes.string("print-color-mode")
        self.media = attributes.string("media")
        self.documentFormat = attributes.string("document-format")
        self.pageRanges = attributes.values("page-ranges").compactMap { if case .range(let r) = $0 { r } else { nil } }
        self.application = attributes.string("document-creator-application-name")
        self.documentCount = max(1, attributes.integer("number-of-documents") ?? 1)
        self.accountID = attributes.string("job-account-id").flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// cupsd's answer lacks something every job has.
public enum JobIdentityError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing(String, jobID: Int)

    public var description: String {
        switch self {
        case .missing(let name, let jobID): "cupsd did not report \(name) for job \(jobID)"
        }
    }
}
