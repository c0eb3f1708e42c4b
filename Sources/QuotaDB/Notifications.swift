import Foundation

/// What a notification is about.
public enum NotificationKind: String, Codable, Sendable, CaseIterable {
    /// A job held because the wallet chain cannot pay it.
    case heldForFunds = "held-for-funds"
    /// A job waiting at a release station.
    case waitingForRelease = "waiting-for-release"
    /// Usage crossed an account's soft limit.
    case softLimit = "soft-limit"
    /// A job was refunded.
    case refund
    /// A held job was cancelled because nobody released it in time.
    case expired
}

/// A message to a user, waiting in the outbox or sent.
public struct PendingNotification: Sendable, Equatable {
    public var id: Int64
    public var user: String
    public var kind: NotificationKind
    public var subject: String
    public var body: String
    public var createdAt: Date
    public var attempts: Int

    public init(id: Int64, user: String, kind: NotificationKind, subject: String, body: String, createdAt: Date, attempts: Int) {
        self.id = id
        self.user = user
        self.kind = kind
        self.subject = subject
        self.body = body
        self.createdAt = createdAt
        self.attempts = attempts
    }
}

/// The outbox of mail to users. Whoever sees an event writes it (the backend, the release
/// service, the CLI); tollgated sends it.
///
/// Failure policies: writing to the outbox never fails a job (callers ignore its errors: a
/// missing message is better than a held-up print); a user who opted out gets nothing written;
/// a message is marked sent only after the mail system took it, and one that keeps failing is
/// given up after ``notificationMaxAttempts`` tries, with the last error kept.
public protocol NotificationStore: Sendable {
    /// Puts a message for `user` in the outbox, unless they opted out (then nothing; false).
    @discardableResult
    func enqueueNotification(user: String, kind: NotificationKind, subject: String, body: String) throws(QuotaError) -> Bool
    /// Messages not sent yet and not given up, oldest first.
    func pendingNotifications(limit: Int) throws(QuotaError) -> [PendingNotification]
    func markNotificationSent(_ id: Int64) throws(QuotaError)
    /// Counts a failed try (`error` kept); after the last allowed try the message is given up.
    func markNotificationFailed(_ id: Int64, error: String) throws(QuotaError)
    /// Gives the message up at once (the user has no address): kept, with `reason`, never sent.
    func giveUpNotification(_ id: Int64, reason: String) throws(QuotaError)
    func setNotifications(_ enabled: Bool, for user: String) throws(QuotaError)
    func notificationsEnabled(for user: String) throws(QuotaError) -> Bool
}

public let notificationMaxAttempts = 20
