import Foundation
import Pricing
import QuotaDB

/// Jobs printed while the quota database could not be reached, on queues whose administrator
/// chose `tollgate-offline-default=record`: one file per job in a private directory of this
/// print server (`TOLLGATE_JOURNAL_DIR`, default `/var/lib/tollgate/journal`), replayed into the
/// database once it answers again — by the next job's backend, `tollgate sync`, or the
/// maintenance timer.
///
/// Failure policies:
/// - A replay charges each job once: the job key is the reservation's key, so a replay after a
///   crash half-way (the charge committed, the file not yet removed) finds the job settled and
///   only removes the file. Replays run one at a time (a lock file in the directory).
/// - A replay charges what the printer printed (the backend's settlement, written to the entry
///   when the real backend ended) on the `track` rule: always approved, so it may take a wallet
///   below zero; the ledger's actor says the job was printed offline and when.
/// - A job the printer printed nothing of is removed from the journal, uncharged.
/// - An entry whose backend never finished (killed while printing offline) is replayed as an open
///   reservation: `tollgate reconcile` settles it from cupsd's job state as for any killed backend.
/// - An entry that cannot be read is left in place and named in the report (never dropped).
/// - Files are written whole (a temporary file, fsync, rename) with mode 0600.
public struct OfflineJournal: Sendable {
    public static let defaultDirectory = "/var/lib/tollgate/journal"

    /// What the journal knows of one job.
    public struct Entry: Codable, Equatable, Sendable {
        public enum State: String, Codable, Sendable {
            /// Admitted and handed to the real backend; not finished yet.
            case admitted
            /// The real backend ended: `charged` is what the printer printed.
            case printed
        }
        public var jobKey: String
        public var user: String
        public var queue: String
        public var application: String?
        /// The account the job named at submit (`job-account-id`).
        public var account: String?
        /// The price it was admitted at, and (once printed) what it is charged, in minor units.
        public var admittedMinorUnits: Int64
        public var chargedMinorUnits: Int64?
        public var currency: String
        public var currencyExponent: Int
        public var recordedAt: Date
        public var server: String
        public var state: State

        public init(jobKey: String, user: String, queue: String, application: String?, account: String?, price: Money,
                    recordedAt: Date, server: String) {
            self.jobKey = jobKey
            self.user = user
            self.queue = queue
            self.application = application
            self.account = account
            admittedMinorUnits = price.minorUnits
            currency = price.currency.code
            currencyExponent = price.currency.exponent
            self.recordedAt = recordedAt
            self.server = server
            state = .admitted
        }
    }

    /// What a replay did.
    public struct ReplayReport: Equatable, Sendable {
        /// Jobs charged (or already charged by an earlier replay), with what.
        public var charged: [(jobKey: String, amount: Money)] = []
        /// Jobs whose backend never finished: reserved, for `tollgate reconcile`.
        public var reserved: [String] = []
        /// Entries left in place, with why.
        public var failed: [(name: String, reason: String)] = []

        public static func == (a: ReplayReport, b: ReplayReport) -> Bool {
            a.charged.map(\.jobKey) == b.charged.map(\.jobKey) && a.charged.map(\.amount) == b.charged.map(\.amount)
                && a.reserved == b.reserved && a.failed.map(\.name) == b.failed.map(\.name)
        }
    }

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Whether anything waits to be replayed (one directory read: every job's backend asks).
    public var isEmpty: Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).allSatisfy { !$0.hasSuffix(".json") }
    }

    /// Records a job admitted while the database was unreachable (before it prints).
    public func record(_ entry: Entry) throws {
        try withLock { try write(entry) }
    }

    /// The real backend ended: `charged` is what printed (nil or zero: nothing; the entry goes).
    /// Returns false when the entry is gone (a replay took it as an open reservation): the caller
    /// settles the reservation in the database instead.
    public func finish(jobKey: String, charged: Money?) throws -> Bool {
        try withLock {
            guard var entry = try read(path(for: jobKey)) else { return false }
            if let charged, charged.minorUnits > 0 {
                entry.state = .printed
                entry.chargedMinorUnits = charged.minorUnits
                try write(entry)
            } else {
                try FileManager.default.removeItem(atPath: path(for: jobKey))
            }
            return true
        }
    }

    /// Replays every entry into `store` (see the failure policies), oldest first.
    public func replay(into store: any QuotaStore) throws -> ReplayReport {
        try withLock {
            var report = ReplayReport()
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
            var entries: [(name: String, entry: Entry)] = []
            for name in names {
                do {
                    if let entry = try read(directory + "/" + name) { entries.append((name, entry)) }
                } catch {
                    report.failed.append((name, "cannot be read: \(error)"))
                }
            }
            for (name, entry) in entries.sorted(by: { $0.entry.recordedAt < $1.entry.recordedAt }) {
                do {
                    let currency = try Currency(code: entry.currency, exponent: entry.currencyExponent)
                    let admitted = Money(minorUnits: entry.admittedMinorUnits, currency: currency)
                    var request = AuthorizationRequest(jobKey: entry.jobKey, user: entry.user, amount: admitted, policy: .track,
                                                       account: entry.account, queue: entry.queue, application: entry.application)
                    request.actor = "backend (printed while the database was unreachable, recorded \(Self.stamp(entry.recordedAt)) on \(entry.server); replayed)"
                    // An account the job named but may no longer be used: the owner's chain pays.
                    if case .refused = try store.authorize(request) {
                        request.account = nil
                        guard case .approved = try store.authorize(request) else {
                            report.failed.append((name, "the database refused the charge of job \(entry.jobKey)"))
                            continue
                        }
                    }
                    switch entry.state {
                    case .printed:
                        let charged = Money(minorUnits: entry.chargedMinorUnits ?? entry.admittedMinorUnits, currency: currency)
                        let reservation = try store.reservation(jobKey: entry.jobKey)
                        if reservation?.state == .reserved {
                            _ = try store.settle(jobKey: entry.jobKey, amount: charged, actor: request.actor)
                        }
                        report.charged.append((entry.jobKey, charged))
                    case .admitted:
                        report.reserved.append(entry.jobKey)
                    }
                    try FileManager.default.removeItem(atPath: directory + "/" + name)
                } catch {
                    report.failed.append((name, "\(error)"))
                }
            }
            return report
        }
    }

    // MARK: - Files

    private func path(for jobKey: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._")
        return directory + "/" + (jobKey.addingPercentEncoding(withAllowedCharacters: allowed) ?? jobKey) + ".json"
    }

    private func read(_ path: String) throws -> Entry? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try JSONDecoder.journal.decode(Entry.self, from: data)
    }

    private func write(_ entry: Entry) throws {
        let target = path(for: entry.jobKey)
        let temporary = target + ".tmp"
        let data = try JSONEncoder.journal.encode(entry)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.io("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temporary, target) == 0 else {
            unlink(temporary)
            throw JournalError.io("cannot write \(target): \(String(cString: strerror(errno)))")
        }
    }

    /// Runs `body` holding the journal's lock (creating the directory, 0700, if needed).
    private func withLock<T>(_ body: () throws -> T) throws -> T {
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        let fd = open(directory + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.io("cannot open \(directory)/.lock: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw JournalError.io("cannot lock \(directory)/.lock: \(String(cString: strerror(errno)))") }
        return try body()
    }

    private static func stamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    public enum JournalError: Error, CustomStringConvertible {
        case io(String)
        public var description: String {
            switch self { case .io(let text): "offline journal: \(text)" }
        }
    }
}

private extension JSONEncoder {
    static var journal: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

private extension JSONDecoder {
    static var journal: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }
}
