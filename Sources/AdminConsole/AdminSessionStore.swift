import Foundation
import Station

/// A browser's session with the admin console.
public struct AdminSession: Sendable, Hashable {
    /// What the session may do.
    public enum Role: Sendable, Hashable {
        /// Not signed in: only the sign-in page.
        case anonymous
        /// Signed in as a member of the admin group.
        case admin(AdminIdentity)
        /// Signed in with a right password but not in the admin group: every page is 403.
        case refused(user: String)
    }

    /// The cookie value (256 random bits).
    public let token: String
    /// Every POST must carry it (form field `csrf`); distinct from any station session's token.
    public let csrfToken: String
    public var role: Role
    public var lastSeen: Date
    /// Shown once on the next page (POST-redirect-GET).
    public var notices: [Notice]

    public var identity: AdminIdentity? {
        if case .admin(let identity) = role { return identity }
        return nil
    }
}

/// Admin sessions, in memory and apart from the station's (a restart signs every admin out).
///
/// Failure policy: an unknown, malformed or idle token is no session (the browser is sent to the
/// sign-in page); signing in always issues a new token and CSRF token. At most `capacity`
/// sessions: when full, idle ones go first, then the least recently seen anonymous one.
public actor AdminSessionStore {
    public nonisolated let idleTimeout: TimeInterval
    public nonisolated let capacity: Int
    private let clock: @Sendable () -> Date
    private var sessions: [String: AdminSession] = [:]

    public init(idleTimeout: TimeInterval, capacity: Int = 2_000, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.idleTimeout = idleTimeout
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    public func startAnonymous() -> AdminSession { insert(.anonymous) }

    /// Ends `previous` and starts a session with `role`.
    public func signIn(_ role: AdminSession.Role, replacing previous: String?) -> AdminSession {
        if let previous { sessions[previous] = nil }
        return insert(role)
    }

    /// The live session for `token`, marked as seen now; `nil` when unknown or idle too long.
    public func session(token: String) -> AdminSession? {
        guard SecretToken.isWellFormed(token), var session = sessions[token] else { return nil }
        let now = clock()
        guard now.timeIntervalSince(session.lastSeen) < idleTimeout else {
            sessions[token] = nil
            return nil
        }
        session.lastSeen = now
        sessions[token] = session
        return session
    }

    public func end(token: String) { sessions[token] = nil }

    public func addNotice(_ notice: Notice, token: String) { sessions[token]?.notices.append(notice) }

    public func takeNotices(token: String) -> [Notice] {
        guard let notices = sessions[token]?.notices, !notices.isEmpty else { return [] }
        sessions[token]?.notices = []
        return notices
    }

    private func insert(_ role: AdminSession.Role) -> AdminSession {
        let now = clock()
        if sessions.count >= capacity {
            sessions = sessions.filter { now.timeIntervalSince($0.value.lastSeen) < idleTimeout }
            if sessions.count >= capacity {
                let victim = sessions.values.filter { $0.role == .anonymous }.min { $0.lastSeen < $1.lastSeen }
                    ?? sessions.values.min { $0.lastSeen < $1.lastSeen }
                if let victim { sessions[victim.token] = nil }
            }
        }
        var token = SecretToken.generate()
        while sessions[token] != nil { token = SecretToken.generate() }
        let session = AdminSession(token: token, csrfToken: SecretToken.generate(), role: role, lastSeen: now, notices: [])
        sessions[token] = session
        return session
    }
}
