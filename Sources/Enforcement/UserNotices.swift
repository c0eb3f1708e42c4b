import Pricing
import QuotaDB

/// The mail a user gets about their jobs and money: short plain text that says what happened
/// and what to do, one sentence each as the other front ends say it. Put in the store's outbox
/// (tollgated sends it); writing it never fails or delays a job.
public struct UserNotices: Sendable {
    /// The release station's address for the "waiting for release" mail (`TOLLGATE_STATION_URL`).
    public var stationURL: String?

    public init(stationURL: String? = nil) {
        self.stationURL = stationURL.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A job title as it may appear in mail: control characters (a forged header line, a
    /// terminal escape) removed, at most 80 characters.
    public static func title(_ raw: String) -> String {
        let clean = String(String.UnicodeScalarView(raw.unicodeScalars.filter { $0.properties.generalCategory != .control }))
        let trimmed = clean.trimmingWhitespace()
        let short = trimmed.count > 80 ? String(trimmed.prefix(79)) + "…" : trimmed
        return short.isEmpty ? "(untitled)" : short
    }

    /// A job held because the wallet chain cannot pay it.
    public func heldForFunds(title: String, jobID: Int, printer: String, sentence: String) -> (subject: String, body: String) {
        let name = Self.title(title)
        return ("Print job held: \(name)",
                "Your print job \"\(name)\" (job \(jobID) on \(printer)) was \(sentence).\n")
    }

    /// A job waiting at a release station.
    public func waitingForRelease(title: String, jobID: Int, printer: String, price: Money, holdHours: Int) -> (subject: String, body: String) {
        let name = Self.title(title)
        var body = "Your print job \"\(name)\" (job \(jobID) on \(printer)) is waiting for you at a release station. It costs \(price).\n"
        body += stationURL.map { "Release it at \($0) (sign in, choose the account to charge, release)" } ?? "Release it at a release station (sign in, choose the account to charge, release)"
        body += ", or with `tollgate release \(jobID)`. It is cancelled if nobody releases it within \(holdHours) hours.\n"
        return ("Print job waiting: \(name)", body)
    }

    /// Usage crossed a soft limit.
    public func softLimit(_ warning: QuotaWarning) -> (subject: String, body: String) {
        ("Print allocation: soft limit passed", "Your print usage on \(warning).\n")
    }

    /// A held job nobody released in time.
    public func expired(title: String, jobID: Int, printer: String) -> (subject: String, body: String) {
        let name = Self.title(title)
        return ("Print job cancelled: \(name)",
                "Your print job \"\(name)\" (job \(jobID) on \(printer)) was cancelled: nobody released it in time. Nothing was charged; send it again to print it.\n")
    }

    /// A refund.
    public func refund(amount: Money, reason: String, jobKey: String) -> (subject: String, body: String) {
        ("Print refund: \(amount)", "\(amount) was refunded for a print job (\(jobKey))\(reason.isEmpty ? "" : ": \(Self.title(reason))").\n")
    }
}

extension NotificationStore {
    /// Puts the message in the outbox, ignoring any failure (a mail is never worth a job).
    public func notify(_ user: String, _ kind: NotificationKind, _ message: (subject: String, body: String)) {
        _ = try? enqueueNotification(user: user, kind: kind, subject: message.subject, body: message.body)
    }
}
