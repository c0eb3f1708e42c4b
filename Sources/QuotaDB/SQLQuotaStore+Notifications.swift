import Foundation

extension SQLQuotaStore: NotificationStore {
    public func enqueueNotification(user: String, kind: NotificationKind, subject: String, body: String) throws(QuotaError) -> Bool {
        try Self.checkUserName(user)
        let at = now
        return try write { db in
            if try db.value(Bool.self, sql: "SELECT notify FROM \"user\" WHERE name = ?", arguments: [user]) == false { return false }
            try db.run(sql: "INSERT INTO notification(user_name, kind, subject, body, created_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [user, kind.rawValue, subject, body, at.unixMilliseconds])
            return true
        }
    }

    public func pendingNotifications(limit: Int) throws(QuotaError) -> [PendingNotification] {
        try read { db in
            try db.rows(sql: """
                SELECT * FROM notification WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT ?
                """, arguments: [notificationMaxAttempts, limit]).map { row in
                PendingNotification(id: row["id"], user: row["user_name"], kind: NotificationKind(rawValue: row["kind"]) ?? .refund,
                                    subject: row["subject"], body: row["body"], createdAt: Date(unixMilliseconds: row["created_at"]),
                                    attempts: row["attempts"])
            }
        }
    }

    public func markNotificationSent(_ id: Int64) throws(QuotaError) {
        let at = now
        try write { db in _ = try db.run(sql: "UPDATE notification SET sent_at = ? WHERE id = ?", arguments: [at.unixMilliseconds, id]) }
    }

    public func markNotificationFailed(_ id: Int64, error: String) throws(QuotaError) {
        try write { db in
            _ = try db.run(sql: "UPDATE notification SET attempts = attempts + 1, last_error = ? WHERE id = ?", arguments: [error, id])
        }
    }

    public func giveUpNotification(_ id: Int64, reason: String) throws(QuotaError) {
        try write { db in
            _ = try db.run(sql: "UPDATE notification SET attempts = ?, last_error = ? WHERE id = ?", arguments: [notificationMaxAttempts, reason, id])
        }
    }

    public func setNotifications(_ enabled: Bool, for user: String) throws(QuotaError) {
        try Self.checkUserName(user)
        let at = now
        try write { db in
            try ensureUser(db, user, at: at)
            try db.run(sql: "UPDATE \"user\" SET notify = ? WHERE name = ?", arguments: [enabled, user])
        }
    }

    public func notificationsEnabled(for user: String) throws(QuotaError) -> Bool {
        try read { db in try db.value(Bool.self, sql: "SELECT notify FROM \"user\" WHERE name = ?", arguments: [user]) ?? true }
    }
}
