import Foundation
import QuotaDB

/// Sends what the store's outbox holds (``NotificationStore``), run by tollgated on a timer.
///
/// Addresses: the user's own (`tollgate user edit --email`), else `USER@DOMAIN` with a mail
/// domain; a user with neither gets nothing (the message is given up, with the reason kept).
/// A message that fails stays for the next round (up to ``notificationMaxAttempts`` tries); a
/// failure never reaches a job.
public struct OutboxDelivery: Sendable {
    public let store: any PrintAccountingStore
    public let transport: MailTransport
    public let from: String
    public let emailDomain: String?
    public let log: @Sendable (String) -> Void

    public init(store: any PrintAccountingStore, transport: MailTransport, from: String, emailDomain: String?,
                log: @escaping @Sendable (String) -> Void) {
        self.store = store
        self.transport = transport
        self.from = from
        self.emailDomain = emailDomain
        self.log = log
    }

    /// One round: every pending message, oldest first. Returns how many were sent.
    @discardableResult
    public func deliverPending(limit: Int = 100) -> Int {
        let pending: [PendingNotification]
        do {
            pending = try store.pendingNotifications(limit: limit)
        } catch {
            log("mail: cannot read the outbox (\(error)); next round")
            return 0
        }
        var sent = 0
        for message in pending {
            let address = (try? store.email(of: message.user)) ?? nil
            guard let to = address ?? emailDomain.map({ "\(message.user)@\($0)" }) else {
                try? store.giveUpNotification(message.id, reason: "no e-mail address for \(message.user)")
                continue
            }
            do {
                try transport.send(from: from, to: to, subject: message.subject, body: message.body)
                try? store.markNotificationSent(message.id)
                sent += 1
            } catch {
                try? store.markNotificationFailed(message.id, error: "\(error)")
                log("mail: \(message.kind.rawValue) for \(message.user) not sent (\(error)); kept for the next round")
                // The relay is down: the rest waits for the next round too.
                if case .transport = error { break }
            }
        }
        if sent > 0 { log("mail: sent \(sent) message(s)") }
        return sent
    }

    /// Rounds every `interval` seconds until the task is cancelled.
    public func run(interval: Int) async {
        while !Task.isCancelled {
            let delivery = self
            await Task.detached { delivery.deliverPending() }.value
            try? await Task.sleep(for: .seconds(interval))
        }
    }
}
